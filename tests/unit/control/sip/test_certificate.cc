#include "tests/unit/control/sip/test_certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <utility>

namespace sbc::sip::test_support {

namespace {

struct FileCloser {
  void operator()(FILE* file) const { std::fclose(file); }
};

bool writePem(const std::string& path, const std::function<int(FILE*)>& write) {
  std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "w"));
  return file && write(file.get()) == 1;
}

}  // namespace

TestCertificate TestCertificate::make(const std::string& commonName,
                                      const std::string& subjectAltNames) {
  TestCertificate made;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/sip_tls_test.XXXXXX";
  if (!mkdtemp(pattern.data())) {
    made.error = "mkdtemp failed";
    return made;
  }
  made.directory = pattern;
  made.certificateFile = made.directory + "/cert.pem";
  made.privateKeyFile = made.directory + "/key.pem";

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), X509_free);
  if (!key || !certificate) {
    made.error = "key generation failed";
    return made;
  }
  X509* x = certificate.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(x, name);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, x, x, nullptr, nullptr, 0);
  for (const auto& [nid, value] :
       {std::pair{NID_subject_alt_name, subjectAltNames},
        std::pair{NID_basic_constraints, std::string("critical,CA:TRUE")}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    if (!extension) {
      made.error = "bad extension " + value;
      return made;
    }
    X509_add_ext(x, extension, -1);
    X509_EXTENSION_free(extension);
  }
  if (X509_sign(x, key.get(), EVP_sha256()) == 0) {
    made.error = "signing failed";
    return made;
  }
  const bool written =
      writePem(made.privateKeyFile,
               [&](FILE* f) {
                 return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
               }) &&
      writePem(made.certificateFile, [&](FILE* f) { return PEM_write_X509(f, x); });
  if (!written) made.error = "writing PEM files failed";
  return made;
}

TestCertificate::TestCertificate(TestCertificate&& other) noexcept
    : directory(std::move(other.directory)),
      certificateFile(std::move(other.certificateFile)),
      privateKeyFile(std::move(other.privateKeyFile)),
      error(std::move(other.error)) {
  other.directory.clear();
}

TestCertificate::~TestCertificate() {
  if (directory.empty()) return;
  unlink(certificateFile.c_str());
  unlink(privateKeyFile.c_str());
  rmdir(directory.c_str());
}

}  // namespace sbc::sip::test_support
