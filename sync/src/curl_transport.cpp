// The only file that talks to libcurl.
#include "sync/client.hpp"
#include "sync/gzip.hpp"

#include <algorithm>
#include <cctype>
#include <curl/curl.h>
#include <mutex>
#include <optional>

namespace carnet::sync {

namespace {

std::once_flag g_curlInit;

std::size_t onBody(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

// The response's header block as it arrives; `complete` once its blank line came (a connection cut
// inside the headers never gets there).
struct HeaderBlock {
    std::map<std::string, std::string>* headers = nullptr;
    bool complete = false;
};

std::size_t onHeader(char* data, std::size_t size, std::size_t n, void* user) {
    auto* block = static_cast<HeaderBlock*>(user);
    auto* headers = block->headers;
    const std::string line(data, size * n);
    if (line == "\r\n" || line == "\n") {
        block->complete = true;
        return size * n;
    }
    if (line.rfind("HTTP/", 0) == 0) { // a new block (after an interim 1xx response): start again
        block->complete = false;
        headers->clear();
        return size * n;
    }
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
            value.pop_back();
        (*headers)[name] = value;
    }
    return size * n;
}

// Failures of TLS trust: the server was reached, but it is not the one it claims to be (or its
// certificate cannot be checked). Retrying does not help, and it is not "offline".
bool certificateFailure(CURLcode rc) {
    switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return true;
    default:
        return false;
    }
}

class CurlTransport final : public Transport {
public:
    CurlTransport(std::string baseUrl, TransportOptions options)
        : m_base(std::move(baseUrl))
        , m_options(std::move(options)) {
        std::call_once(g_curlInit, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
        while (!m_base.empty() && m_base.back() == '/')
            m_base.pop_back();
    }
    ~CurlTransport() override {
        if (m_curl) curl_easy_cleanup(m_curl);
    }
    CurlTransport(const CurlTransport&) = delete;
    CurlTransport& operator=(const CurlTransport&) = delete;

    void setToken(std::string token) override { m_token = std::move(token); }
    std::uint64_t bytesSent() const override { return m_sent; }
    std::uint64_t bytesReceived() const override { return m_received; }

    Result<HttpResponse> send(const HttpRequest& request) override {
        if (!m_curl) m_curl = curl_easy_init(); // one handle: the connection is reused between requests
        if (!m_curl) return makeError(ErrorCode::Internal, "curl_easy_init failed");
        CURL* c = m_curl;
        curl_easy_reset(c);
        HttpResponse response;
        const std::string url = m_base + request.path;
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip"); // responses come compressed
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 120000L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        // Certificates are always verified (libcurl's default, kept explicit); a private CA is added
        // as PEM text instead of the system's store.
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_blob ca{};
        if (!m_options.caPem.empty()) {
            ca.data = m_options.caPem.data();
            ca.len = m_options.caPem.size();
            ca.flags = CURL_BLOB_NOCOPY;
            curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
        }
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
        HeaderBlock block{&response.headers, false};
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &block);
        struct curl_slist* headers = nullptr;
        const std::string proto = std::string(kProtocolHeader) + ": " + std::to_string(kProtocolVersion);
        headers = curl_slist_append(headers, proto.c_str());
        headers = curl_slist_append(headers, request.method == "PUT" ? "Content-Type: application/octet-stream"
                                                                     : "Content-Type: application/json");
        headers = curl_slist_append(headers, "Expect:"); // no 100-continue wait: one round trip per request
        const std::string auth = "Authorization: Bearer " + m_token;
        if (!m_token.empty()) headers = curl_slist_append(headers, auth.c_str());
        // Large bodies (push batches) go gzipped, as the protocol allows: about a sixth of the bytes.
        // A body the caller compressed already (contentEncoding set) goes as it is.
        std::optional<std::string> packed;
        if (request.contentEncoding.empty() && request.body.size() >= kGzipFromBytes) packed = gzip(request.body);
        if (packed || request.contentEncoding == "gzip") headers = curl_slist_append(headers, "Content-Encoding: gzip");
        const std::string& body = packed ? *packed : request.body;
        if (request.method != "GET") {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        }
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        const CURLcode rc = curl_easy_perform(c);
        curl_slist_free_all(headers);
        if (certificateFailure(rc))
            return makeError(ErrorCode::Invalid,
                             m_base + ": " + std::string(kCertificateProblem) + ": " + curl_easy_strerror(rc));
        if (rc != CURLE_OK) return makeError(ErrorCode::Offline, m_base + ": " + curl_easy_strerror(rc), true);
        long status = 0, requestSize = 0, headerSize = 0;
        curl_off_t uploaded = 0, downloaded = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &requestSize);
        curl_easy_getinfo(c, CURLINFO_HEADER_SIZE, &headerSize);
        curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &uploaded);
        curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &downloaded); // as received: still compressed
        m_sent += static_cast<std::uint64_t>(requestSize) + static_cast<std::uint64_t>(uploaded);
        m_received += static_cast<std::uint64_t>(headerSize) + static_cast<std::uint64_t>(downloaded);
        response.status = static_cast<int>(status);
        // A cut inside the headers can end without an error from libcurl: an incomplete response is a
        // network failure (retried), never something to read meaning into. A short body or a bad gzip
        // stream are errors from libcurl already (CURLE_PARTIAL_FILE, CURLE_BAD_CONTENT_ENCODING).
        if (!block.complete || status < 100)
            return makeError(ErrorCode::Offline, m_base + ": incomplete response (connection cut)", true);
        return response;
    }

private:
    std::string m_base;
    TransportOptions m_options;
    std::string m_token;
    CURL* m_curl = nullptr;
    std::uint64_t m_sent = 0, m_received = 0;
};

} // namespace

std::unique_ptr<Transport> makeCurlTransport(std::string baseUrl, TransportOptions options) {
    return std::make_unique<CurlTransport>(std::move(baseUrl), std::move(options));
}

} // namespace carnet::sync
