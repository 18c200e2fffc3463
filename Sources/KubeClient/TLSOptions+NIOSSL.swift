/// Turning `TLSOptions` into a NIOSSL `TLSConfiguration` for AsyncHTTPClient.
import KubeCore
import NIOSSL

extension TLSOptions {
    /// A client TLS configuration: trust only the given CA when one is set (system roots
    /// otherwise), present a client certificate when one is set, or skip verification
    /// when the kubeconfig says so. `identity` overrides the configured client certificate
    /// (exec plugins may supply one at run time).
    public func makeTLSConfiguration(identity: ClientIdentity? = nil) throws(ConfigurationError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        // Closing a cancelled watch waits for the server's close_notify, which a server busy
        // streaming never sends; the 5 s default would stall every client shutdown.
        tls.shutdownTimeout = .seconds(1)
        if insecureSkipTLSVerify {
            tls.certificateVerification = .none
        } else {
            tls.certificateVerification = .fullVerification
            if let ca = certificateAuthorityPEM {
                do {
                    let roots = try NIOSSLCertificate.fromPEMBytes(ca)
                    guard !roots.isEmpty else { throw ConfigurationError("the certificate authority bundle contains no certificate") }
                    tls.trustRoots = .certificates(roots)
                } catch let e as ConfigurationError {
                    throw e
                } catch {
                    throw ConfigurationError("cannot parse the certificate authority (PEM): \(error)")
                }
            }
        }
        if let id = identity ?? clientCertificate {
            let chain: [NIOSSLCertificate]
            do {
                chain = try NIOSSLCertificate.fromPEMBytes(id.certificatePEM)
            } catch {
                throw ConfigurationError("cannot parse the client certificate (PEM): \(error)")
            }
            guard !chain.isEmpty else { throw ConfigurationError("the client certificate PEM contains no certificate") }
            let key: NIOSSLPrivateKey
            do {
                key = try NIOSSLPrivateKey(bytes: Array(id.privateKeyPEM.revealed.utf8), format: .pem)
            } catch {
                // The NIOSSL error names no key material, but say only what failed to be safe.
                throw ConfigurationError("cannot parse the client private key (PEM, RSA or EC)")
            }
            tls.certificateChain = chain.map { .certificate($0) }
            tls.privateKey = .privateKey(key)
        }
        return tls
    }
}
