/// A throwaway certificate authority for the embedded server: it signs the serving
/// certificate and client certificates, and the server trusts client certificates it issued.
import Crypto
import Foundation
import X509

public final class CertificateAuthority: Sendable {
    let certificate: Certificate
    let privateKey: Certificate.PrivateKey
    public let certificatePEM: String
    /// The CA key in PEM, so a persisted server can reload the same CA.
    public let privateKeyPEM: String

    /// Generates a new P-256 CA valid for ten years.
    public convenience init(commonName: String = "ferry-dev-ca") throws {
        let key = P256.Signing.PrivateKey()
        let privateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName { CommonName(commonName) }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: privateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: privateKey)
        try self.init(certificate: certificate, privateKey: privateKey)
    }

    /// Loads a CA from PEM (as written by `certificatePEM` / `privateKeyPEM`).
    public convenience init(certificatePEM: String, privateKeyPEM: String) throws {
        do {
            try self.init(certificate: Certificate(pemEncoded: certificatePEM),
                          privateKey: Certificate.PrivateKey(pemEncoded: privateKeyPEM))
        } catch {
            throw CertificateAuthorityError(message: "loading the certificate authority from PEM: \(error)")
        }
    }

    private init(certificate: Certificate, privateKey: Certificate.PrivateKey) throws {
        self.certificate = certificate
        self.privateKey = privateKey
        do {
            certificatePEM = try certificate.serializeAsPEM().pemString
            privateKeyPEM = try privateKey.serializeAsPEM().pemString
        } catch {
            throw CertificateAuthorityError(message: "encoding the certificate authority as PEM: \(error)")
        }
    }

    /// A serving certificate for `hosts` (DNS names or IPv4 literals).
    public func issueServerCertificate(hosts: [String]) throws -> (certificatePEM: String, privateKeyPEM: String) {
        try issue(commonName: hosts.first ?? "localhost", organizations: [], hosts: hosts, usage: .serverAuth)
    }

    /// A client certificate; kube-apiserver reads the user from CN and groups from O.
    public func issueClientCertificate(commonName: String, organizations: [String]) throws -> (certificatePEM: String, privateKeyPEM: String) {
        try issue(commonName: commonName, organizations: organizations, hosts: [], usage: .clientAuth)
    }

    private func issue(commonName: String, organizations: [String], hosts: [String], usage: ExtendedKeyUsage.Usage) throws
        -> (certificatePEM: String, privateKeyPEM: String)
    {
        do {
            let key = P256.Signing.PrivateKey()
            let leafKey = Certificate.PrivateKey(key)
            let subject = try DistinguishedName {
                for o in organizations { OrganizationName(o) }
                CommonName(commonName)
            }
            let now = Date()
            var extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([usage])
            }
            if !hosts.isEmpty {
                try extensions.append(Certificate.Extension(oid: .X509ExtensionID.subjectAlternativeName, critical: false,
                                                            value: Self.subjectAlternativeNames(hosts)[...]))
            }
            let cert = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: leafKey.publicKey,
                notValidBefore: now.addingTimeInterval(-3600),
                notValidAfter: now.addingTimeInterval(5 * 365 * 86400),
                issuer: certificate.subject,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions,
                issuerPrivateKey: privateKey)
            return (try cert.serializeAsPEM().pemString, try leafKey.serializeAsPEM().pemString)
        } catch let error as CertificateAuthorityError {
            throw error
        } catch {
            throw CertificateAuthorityError(message: "issuing a certificate for \(commonName): \(error)")
        }
    }

    /// DER of a SubjectAltName extension value: SEQUENCE of dNSName [2] / iPAddress [7].
    /// Encoded by hand because the generic IP form needs the ASN.1 module directly.
    static func subjectAlternativeNames(_ hosts: [String]) throws -> [UInt8] {
        var content: [UInt8] = []
        for host in hosts {
            let octets = host.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
            if octets.count == 4 && host.split(separator: ".", omittingEmptySubsequences: false).count == 4 {
                content += [0x87] + derLength(4) + octets
            } else if host == "::1" {
                content += [0x87] + derLength(16) + Array(repeating: 0, count: 15) + [1]
            } else {
                content += [0x82] + derLength(host.utf8.count) + Array(host.utf8)
            }
        }
        return [0x30] + derLength(content.count) + content
    }

    private static func derLength(_ n: Int) -> [UInt8] {
        if n < 0x80 { return [UInt8(n)] }
        if n < 0x100 { return [0x81, UInt8(n)] }
        return [0x82, UInt8(n >> 8), UInt8(n & 0xFF)]
    }
}

public struct CertificateAuthorityError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
