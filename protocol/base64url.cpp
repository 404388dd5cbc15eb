#include "protocol/base64url.hpp"

#include <openssl/evp.h>

namespace herald::protocol {

namespace {

error bad_base64(std::string message) {
  return error{errc::invalid_field, {}, "invalid base64: " + std::move(message)};
}

} // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0'); // + NUL written by OpenSSL
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') {
    out.pop_back();
  }
  for (char& c : out) {
    if (c == '+') {
      c = '-';
    } else if (c == '/') {
      c = '_';
    }
  }
  return out;
}

result<std::string> base64url_decode(std::string_view text) {
  // Padding is optional (RFC 7515 §2 drops it) but, when present, only at the end.
  std::size_t end = text.size();
  while (end > 0 && text[end - 1] == '=') {
    --end;
  }
  if (text.size() - end > 2) {
    return bad_base64("more than two padding characters");
  }
  std::string std_form;
  std_form.reserve(end + 3);
  for (std::size_t i = 0; i < end; ++i) {
    const char c = text[i];
    if (c == '-') {
      std_form.push_back('+');
    } else if (c == '_') {
      std_form.push_back('/');
    } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '/') {
      std_form.push_back(c);
    } else {
      return bad_base64("unexpected character at offset " + std::to_string(i));
    }
  }
  const std::size_t rem = std_form.size() % 4;
  if (rem == 1) {
    return bad_base64("impossible length");
  }
  if (text.size() != end && (std_form.size() + (text.size() - end)) % 4 != 0) {
    return bad_base64("wrong amount of padding");
  }
  const std::size_t pad = rem == 0 ? 0 : 4 - rem;
  std_form.append(pad, '=');
  if (std_form.empty()) {
    return std::string{};
  }
  std::string out(std_form.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(std_form.data()),
                                static_cast<int>(std_form.size()));
  if (n < 0) {
    return bad_base64("rejected by decoder");
  }
  // EVP_DecodeBlock counts the zero bytes that padding stands for; drop them.
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

} // namespace herald::protocol
