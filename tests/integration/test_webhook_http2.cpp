// Herald's listener speaks HTTP/2 to real clients: an Event Grid batch posted with curl over
// h2c (prior knowledge) and over TLS with ALPN h2 reaches the mock APNs as a push.
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "tests/integration/herald_fixture.hpp"

using namespace herald::test;
using namespace std::chrono_literals;

namespace {

std::string registration_body() {
  return R"({"identity":")" + test_identity + R"(","platform":"apns-voip","token":")" + test_token +
         R"("})";
}

/// curl with `args` against Herald; prints the body then `\n<http_version> <status>`.
command_result curl(const herald_fixture& f, std::vector<std::string> args) {
  args.insert(args.begin(), {"-sS", "--max-time", "20", "-w", "\n%{http_version} %{http_code}",
                             "-H", "content-type: application/json"});
  if (f.options.http_tls) {
    args.insert(args.begin(), {"--cacert", f.pki.ca_cert.string()});
  }
  return run_command("curl", std::move(args), 30s);
}

std::string url(const herald_fixture& f, const std::string& target) {
  return std::string(f.options.http_tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(f.http_port) + target;
}

/// Registers the test device over HTTP/1.1, posts the incoming call batch with `version`
/// (a curl flag), and checks the answer's HTTP version and that the mock got the push.
void posts_and_rings(herald_fixture& f, const std::string& version, const std::string& expect) {
  auto reg = curl(f, {"--http1.1", "-X", "PUT", "--data-binary", registration_body(),
                      url(f, "/v1/apps/demo/devices/iphone-1")});
  BOOST_TEST_REQUIRE(reg.exit_code == 0, reg.err);
  BOOST_TEST_REQUIRE(reg.out.ends_with("\n1.1 200"), reg.out);

  std::ofstream(f.dir / "batch.json") << incoming_call_for(test_identity, false);
  auto posted = curl(
      f, {version, "--data-binary", "@" + (f.dir / "batch.json").string(), url(f, "/api/events")});
  BOOST_TEST_REQUIRE(posted.exit_code == 0, posted.err);
  BOOST_TEST_REQUIRE(posted.out.ends_with("\n" + expect + " 200"), posted.out);
  BOOST_TEST_REQUIRE(f.wait_accepted(test_token, 1, 15s), f.herald->stderr_text());
  BOOST_TEST(f.metric("herald_events_received_total") == 1.0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_http2)

BOOST_AUTO_TEST_CASE(a_batch_posted_over_h2c_is_pushed) {
  herald_fixture f;
  posts_and_rings(f, "--http2-prior-knowledge", "2");
}

BOOST_AUTO_TEST_CASE(a_batch_posted_over_tls_h2_is_pushed) {
  herald_fixture_options o;
  o.http_tls = true;
  herald_fixture f(o);
  posts_and_rings(f, "--http2", "2");
}

BOOST_AUTO_TEST_CASE(a_batch_posted_over_tls_http11_is_pushed) {
  herald_fixture_options o;
  o.http_tls = true;
  herald_fixture f(o);
  posts_and_rings(f, "--http1.1", "1.1");
}

BOOST_AUTO_TEST_SUITE_END()
