#pragma once
// A self-signed certificate made at test time (OpenSSL API, EC P-256), for the TLS transport
// tests: nothing secret is committed and nothing expires in the tree.

#include <string>

namespace sbc::sip::test_support {

struct TestCertificate {
  std::string directory;        // a fresh temporary directory, removed by the destructor
  std::string certificateFile;  // PEM; also the CA file that trusts it
  std::string privateKeyFile;   // PEM
  std::string error;            // set when it could not be made
  bool ok() const { return error.empty(); }

  // The certificate names `subjectAltNames` ("IP:127.0.0.1,IP:::1").
  static TestCertificate make(const std::string& commonName, const std::string& subjectAltNames);
  TestCertificate() = default;
  TestCertificate(TestCertificate&& other) noexcept;
  TestCertificate& operator=(TestCertificate&&) = delete;
  ~TestCertificate();
};

}  // namespace sbc::sip::test_support
