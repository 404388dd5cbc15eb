#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <filesystem>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <nghttp2/nghttp2.h>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_pki.hpp"
#include "transports/http_server.hpp"
#include "transports/tls_context.hpp"

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using namespace herald::transports;

namespace {

/// Answers `<method> <path> <query> <host> <body>` as text.
void echo(http_request&& req, http_responder respond) {
  http_response r;
  r.headers.emplace_back("Content-Type", "text/plain");
  r.headers.emplace_back("Connection", "keep-alive"); // must not leak into HTTP/2
  const auto* host = req.header("host");
  r.body =
      req.method + " " + req.path + " " + req.query + " " + (host ? *host : "-") + " " + req.body;
  respond(std::move(r));
}

/// A real listener on 127.0.0.1:0, two event-loop threads, curl / nghttp as clients.
struct fixture {
  herald::test::temp_dir dir;
  net::io_context ioc;
  std::unique_ptr<http_server> uut;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> loop;
  std::uint16_t port = 0;
  std::optional<herald::test::test_pki> pki;

  static http_server_options short_options() {
    http_server_options o;
    o.read_timeout = 500ms;
    o.idle_timeout = 1500ms;
    o.write_timeout = 2s;
    return o;
  }

  void start(http_handler handler, http_server_options options = short_options()) {
    uut = std::make_unique<http_server>(ioc, std::move(options), std::move(handler));
    auto bound = uut->listen("127.0.0.1", 0);
    BOOST_REQUIRE(bound.has_value());
    port = bound.value();
    work.emplace(net::make_work_guard(ioc));
    for (int i = 0; i < 2; ++i) {
      loop.emplace_back([this] { ioc.run(); });
    }
  }

  void start_tls(http_handler handler, http_server_options options = short_options()) {
    pki = herald::test::make_test_pki(dir / "pki");
    auto ctx = tls_context::make_server(
        {pki->server_cert.string(), pki->server_key.string(), http_server_alpn(options.h2)});
    BOOST_REQUIRE(ctx.has_value());
    options.tls = ctx.value();
    start(std::move(handler), std::move(options));
  }

  ~fixture() {
    if (uut) {
      uut->stop();
    }
    work.reset();
    ioc.stop();
    for (auto& t : loop) {
      t.join();
    }
  }

  std::string url(const std::string& scheme, const std::string& target) const {
    return scheme + "://127.0.0.1:" + std::to_string(port) + target;
  }

  /// Runs a client tool to completion; its exit code and stdout.
  std::pair<int, std::string> run(const std::string& program, std::vector<std::string> args) {
    auto done = herald::test::run_command(program, std::move(args), 20s);
    BOOST_TEST_MESSAGE(program << " stderr: " << done.err);
    return {done.exit_code, done.out};
  }

  /// curl with `args`, printing the body then `\n<http_version> <status>`.
  std::pair<int, std::string> curl(std::vector<std::string> args) {
    args.insert(args.begin(), {"-sS", "--max-time", "15", "-w", "\n%{http_version} %{http_code}"});
    return run("curl", std::move(args));
  }
};

std::string file_with(const std::filesystem::path& path, std::size_t bytes) {
  std::ofstream(path) << std::string(bytes, 'x');
  return "@" + path.string();
}

// ---- raw HTTP/2 frames, for what curl and nghttp will not do ------------------------------

constexpr std::uint8_t type_data = 0, type_headers = 1, type_rst = 3, type_settings = 4,
                       type_goaway = 7;

struct frame {
  std::uint8_t type = 0, flags = 0;
  std::uint32_t stream = 0;
  std::string payload;
};

std::string encode(const frame& f) {
  std::string out;
  auto n = f.payload.size();
  out += static_cast<char>((n >> 16) & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  out += static_cast<char>(n & 0xff);
  out += static_cast<char>(f.type);
  out += static_cast<char>(f.flags);
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += static_cast<char>((f.stream >> shift) & 0xff);
  }
  return out + f.payload;
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    v = (v << 8) | static_cast<std::uint8_t>(s[at + i]);
  }
  return v;
}

/// HPACK for `GET|POST /` over http to `:authority: localhost`: static-table indices and
/// one literal without indexing (RFC 7541 sections 6.1 and 6.2.2, appendix A).
std::string request_block(bool post) {
  return std::string{static_cast<char>(post ? 0x83 : 0x82), static_cast<char>(0x86),
                     static_cast<char>(0x84), 0x01, 0x09} +
         "localhost";
}

/// A blocking raw HTTP/2 (h2c) client: preface, frames out, frames in.
struct raw_h2 {
  net::io_context io;
  tcp::socket socket{io};

  explicit raw_h2(std::uint16_t port) {
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    send(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + encode({type_settings, 0, 0, {}}));
  }

  void send(const std::string& bytes) { net::write(socket, net::buffer(bytes)); }

  /// Reads frames until `done` says so, the peer closes, or `limit` passes; all frames read.
  std::vector<frame> read_until(const std::function<bool(const frame&)>& done,
                                std::chrono::milliseconds limit = 5s) {
    std::vector<frame> got;
    std::string buf;
    auto deadline = std::chrono::steady_clock::now() + limit;
    socket.non_blocking(true);
    while (std::chrono::steady_clock::now() < deadline) {
      char chunk[16384];
      boost::system::error_code ec;
      auto n = socket.read_some(net::buffer(chunk), ec);
      if (ec == net::error::would_block) {
        std::this_thread::sleep_for(5ms);
        continue;
      }
      if (ec) {
        break;
      }
      buf.append(chunk, n);
      while (buf.size() >= 9) {
        std::size_t len = (static_cast<std::uint8_t>(buf[0]) << 16) |
                          (static_cast<std::uint8_t>(buf[1]) << 8) |
                          static_cast<std::uint8_t>(buf[2]);
        if (buf.size() < 9 + len) {
          break;
        }
        frame f{static_cast<std::uint8_t>(buf[3]), static_cast<std::uint8_t>(buf[4]),
                be32(buf, 5) & 0x7fffffffu, buf.substr(9, len)};
        buf.erase(0, 9 + len);
        got.push_back(f);
        if (done(got.back())) {
          return got;
        }
      }
    }
    return got;
  }
};

/// The `:status` of a response HEADERS block (decoded with nghttp2's HPACK inflater).
std::string status_of(const std::string& block) {
  nghttp2_hd_inflater* inflater = nullptr;
  BOOST_REQUIRE_EQUAL(nghttp2_hd_inflate_new(&inflater), 0);
  std::string status;
  const auto* in = reinterpret_cast<const std::uint8_t*>(block.data());
  std::size_t left = block.size();
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    auto used = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, left, 1);
    if (used < 0) {
      break;
    }
    in += used;
    left -= static_cast<std::size_t>(used);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0 &&
        std::string(reinterpret_cast<char*>(nv.name), nv.namelen) == ":status") {
      status.assign(reinterpret_cast<char*>(nv.value), nv.valuelen);
    }
    if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) {
      nghttp2_hd_inflate_end_headers(inflater);
      break;
    }
    if (used == 0 && left == 0) {
      break;
    }
  }
  nghttp2_hd_inflate_del(inflater);
  return status;
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_server_h2)

BOOST_FIXTURE_TEST_CASE(serves_h2c_prior_knowledge_and_http11_on_one_port, fixture) {
  start(echo);
  auto [code2, out2] =
      curl({"--http2-prior-knowledge", "-d", "hello", url("http", "/api/events?a=1")});
  BOOST_TEST(code2 == 0);
  BOOST_TEST(out2 == "POST /api/events a=1 127.0.0.1:" + std::to_string(port) + " hello\n2 200");
  auto [code1, out1] = curl({"--http1.1", "-d", "hello", url("http", "/api/events?a=1")});
  BOOST_TEST(code1 == 0);
  BOOST_TEST(out1 == "POST /api/events a=1 127.0.0.1:" + std::to_string(port) + " hello\n1.1 200");
}

BOOST_FIXTURE_TEST_CASE(serves_h2c_to_nghttp, fixture) {
  start(echo);
  std::ofstream(dir / "body") << "from-nghttp";
  auto [code2, out2] = run("nghttp", {"-v", "-d", (dir / "body").string(), url("http", "/p?q")});
  BOOST_TEST_INFO(out2);
  BOOST_TEST(code2 == 0);
  BOOST_TEST(out2.find(":status: 200") != std::string::npos);
  BOOST_TEST(out2.find("POST /p q 127.0.0.1:" + std::to_string(port) + " from-nghttp") !=
             std::string::npos);
  BOOST_TEST(out2.find("connection: keep-alive") == std::string::npos);
  BOOST_TEST(out2.find("SETTINGS_MAX_CONCURRENT_STREAMS(0x03):100") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(tls_selects_h2_or_http11_by_alpn, fixture) {
  start_tls(echo);
  auto ca = pki->ca_cert.string();
  auto [c2, o2] = curl({"--http2", "--cacert", ca, "-d", "x", url("https", "/t")});
  BOOST_TEST(c2 == 0);
  BOOST_TEST(o2 == "POST /t  127.0.0.1:" + std::to_string(port) + " x\n2 200");
  auto [c1, o1] = curl({"--http1.1", "--cacert", ca, "-d", "x", url("https", "/t")});
  BOOST_TEST(c1 == 0);
  BOOST_TEST(o1 == "POST /t  127.0.0.1:" + std::to_string(port) + " x\n1.1 200");
  auto [cn, on] = run("nghttp", {"-v", "-y", url("https", "/n")});
  BOOST_TEST(cn == 0);
  BOOST_TEST(on.find("GET /n  127.0.0.1:") != std::string::npos);
  BOOST_TEST(on.find(":status: 200") != std::string::npos); // nghttp speaks only h2
  // A clear-text client on the TLS port gets no answer.
  auto [cp, op] = curl({"--http2-prior-knowledge", url("http", "/t")});
  BOOST_TEST(cp != 0);
}

BOOST_FIXTURE_TEST_CASE(tls_without_h2_offers_only_http11, fixture) {
  auto o = short_options();
  o.h2 = false;
  start_tls(echo, o);
  auto [c, out] = curl({"--http2", "--cacert", pki->ca_cert.string(), url("https", "/t")});
  BOOST_TEST(c == 0);
  BOOST_TEST(out.substr(out.size() - 7) == "1.1 200");
}

BOOST_FIXTURE_TEST_CASE(answers_413_on_the_stream_for_a_body_over_the_limit, fixture) {
  auto o = short_options();
  o.body_limit = 1000;
  bool handled = false;
  start(
      [&](http_request&& r, http_responder respond) {
        handled = true;
        echo(std::move(r), std::move(respond));
      },
      o);
  auto [c, out] = curl({"--http2-prior-knowledge", "--data-binary", file_with(dir / "big", 200000),
                        url("http", "/api/events")});
  BOOST_TEST(c == 0);
  BOOST_TEST(out.find("\"status\":413") != std::string::npos);
  BOOST_TEST(out.substr(out.size() - 5) == "2 413");
  auto [c2, out2] = curl({"--http2-prior-knowledge", "--data-binary", file_with(dir / "ok", 1000),
                          url("http", "/api/events")});
  BOOST_TEST(out2.substr(out2.size() - 5) == "2 200");
  BOOST_TEST(handled);
}

BOOST_FIXTURE_TEST_CASE(answers_431_for_a_header_list_over_the_limit, fixture) {
  auto o = short_options();
  o.header_limit = 2048;
  start(echo, o);
  auto [c, out] =
      curl({"--http2-prior-knowledge", "-H", "x-big: " + std::string(4000, 'a'), url("http", "/")});
  BOOST_TEST(out.substr(out.size() - 5) == "2 431");
}

BOOST_FIXTURE_TEST_CASE(refuses_streams_over_max_concurrent_streams, fixture) {
  auto o = short_options();
  o.max_concurrent_streams = 2;
  std::mutex m;
  std::vector<http_responder> held;
  start(
      [&](http_request&&, http_responder respond) {
        std::lock_guard lock(m);
        held.push_back(std::move(respond));
      },
      o);
  raw_h2 client(port);
  client.read_until([](const frame& f) { return f.type == type_settings && f.flags == 0; });
  std::string out = encode({type_settings, 1, 0, {}}); // ACK
  for (std::uint32_t id : {1u, 3u, 5u}) {
    out += encode({type_headers, 0x5, id, request_block(false)});
  }
  client.send(out);
  // Past the acknowledged limit nghttp2 treats a new stream as a connection error
  // (RFC 9113 section 5.1.2 allows PROTOCOL_ERROR): GOAWAY naming stream 3 as the last.
  auto frames = client.read_until([](const frame& f) { return f.type == type_goaway; });
  BOOST_REQUIRE(!frames.empty());
  BOOST_REQUIRE(frames.back().type == type_goaway);
  BOOST_TEST(be32(frames.back().payload, 0) == 3u);
  BOOST_TEST(be32(frames.back().payload, 4) == std::uint32_t{NGHTTP2_PROTOCOL_ERROR});
  std::lock_guard lock(m);
  BOOST_TEST(held.size() == 2u);
  for (auto& r : held) {
    r(http_response{});
  }
}

BOOST_FIXTURE_TEST_CASE(ends_a_connection_that_resets_streams_rapidly, fixture) {
  auto o = short_options();
  o.max_client_resets = 10;
  start(echo, o);
  raw_h2 client(port);
  std::string out;
  for (std::uint32_t i = 0; i < 30; ++i) {
    auto id = 2 * i + 1;
    out += encode({type_headers, 0x4, id, request_block(true)}); // open, body to follow
    out += encode({type_rst, 0, id, std::string{0, 0, 0, 8}});   // CANCEL
  }
  client.send(out);
  auto frames = client.read_until([](const frame& f) { return f.type == type_goaway; });
  BOOST_REQUIRE(!frames.empty());
  BOOST_REQUIRE(frames.back().type == type_goaway);
  BOOST_TEST(be32(frames.back().payload, 4) == std::uint32_t{NGHTTP2_ENHANCE_YOUR_CALM});
  // The server closes the connection after the GOAWAY.
  (void)client.read_until([](const frame&) { return false; }, 2s);
  boost::system::error_code ec;
  char byte;
  client.socket.non_blocking(false);
  client.socket.read_some(net::buffer(&byte, 1), ec);
  BOOST_TEST(ec == net::error::eof);
}

BOOST_FIXTURE_TEST_CASE(answers_408_to_a_stream_whose_body_never_arrives, fixture) {
  start(echo); // read_timeout 500 ms
  raw_h2 client(port);
  auto began = std::chrono::steady_clock::now();
  client.send(encode({type_headers, 0x4, 1, request_block(true)}));
  client.send(encode({type_data, 0, 1, "partial"}));
  auto frames =
      client.read_until([](const frame& f) { return f.type == type_headers && f.stream == 1; }, 5s);
  BOOST_REQUIRE(!frames.empty());
  BOOST_REQUIRE(frames.back().type == type_headers);
  BOOST_TEST(status_of(frames.back().payload) == "408");
  BOOST_TEST((std::chrono::steady_clock::now() - began >= 500ms));
}

BOOST_FIXTURE_TEST_CASE(closes_an_idle_h2_connection_with_goaway, fixture) {
  start(echo); // idle_timeout 1500 ms
  raw_h2 client(port);
  auto began = std::chrono::steady_clock::now();
  auto frames = client.read_until([](const frame& f) { return f.type == type_goaway; }, 5s);
  BOOST_REQUIRE(!frames.empty());
  BOOST_REQUIRE(frames.back().type == type_goaway);
  BOOST_TEST(be32(frames.back().payload, 4) == std::uint32_t{NGHTTP2_NO_ERROR});
  BOOST_TEST((std::chrono::steady_clock::now() - began >= 1500ms));
}

BOOST_FIXTURE_TEST_CASE(closes_a_connection_that_never_takes_its_response, fixture) {
  auto o = short_options();
  o.write_timeout = 600ms;
  o.idle_timeout = 30s;
  start(echo, o);
  raw_h2 client(port);
  // SETTINGS_INITIAL_WINDOW_SIZE (0x4) = 0: the response body can never be sent.
  client.send(encode({type_settings, 0, 0, std::string{0, 0x4, 0, 0, 0, 0}}));
  auto began = std::chrono::steady_clock::now();
  client.send(encode({type_headers, 0x5, 1, request_block(false)}));
  auto frames = client.read_until([](const frame&) { return false; }, 10s);
  auto waited = std::chrono::steady_clock::now() - began;
  // The headers went out, the body could not, and the server gave up on the client.
  const bool answered = std::any_of(frames.begin(), frames.end(), [](const frame& f) {
    return f.type == type_headers && f.stream == 1 && status_of(f.payload) == "200";
  });
  const bool body_sent = std::any_of(frames.begin(), frames.end(), [](const frame& f) {
    return f.type == type_data && f.stream == 1 && !f.payload.empty();
  });
  BOOST_TEST(answered);
  BOOST_TEST(!body_sent);
  BOOST_TEST((waited >= 600ms));
  BOOST_TEST((waited < 8s), "the connection stayed open for the whole read");
}

BOOST_FIXTURE_TEST_CASE(h2_connections_count_toward_max_connections, fixture) {
  auto o = short_options();
  o.max_connections = 1;
  o.idle_timeout = 10s;
  start(echo, o);
  raw_h2 first(port);
  first.read_until([](const frame& f) { return f.type == type_settings; });
  BOOST_TEST(uut->connections() == 1u);
  auto [c, out] = curl({"--http2-prior-knowledge", url("http", "/")});
  BOOST_TEST(c != 0); // closed at accept
}

BOOST_AUTO_TEST_SUITE_END()
