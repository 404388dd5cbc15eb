// herald-make-test-pki DIR: throwaway CA, server certificate and APNs key for local runs.
#include <exception>
#include <iostream>

#include "tests/support/test_pki.hpp"

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cerr << "usage: herald-make-test-pki DIR\n"
                 "Writes ca.pem, ca.key, server.pem, server.key (127.0.0.1, localhost), "
                 "apns_auth_key.p8 and apns_auth_key.pub.pem into DIR. For tests only.\n";
    return argc == 2 ? 0 : 2;
  }
  try {
    auto pki = herald::test::make_test_pki(argv[1]);
    std::cout << "CA:          " << pki.ca_cert.string() << "\n"
              << "server cert: " << pki.server_cert.string() << "\n"
              << "server key:  " << pki.server_key.string() << "\n"
              << "APNs key:    " << pki.apns_key.string() << "\n"
              << "APNs public: " << pki.apns_public_key.string() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "herald-make-test-pki: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
