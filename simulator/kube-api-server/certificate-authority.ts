import { generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface ServerCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
}

interface KeyPair {
  privateKey: KeyObject;
  publicKey: forge.pki.PublicKey;
}

/** node-forge's TBSCertificate builder, present at run time but missing from its type definitions. */
const forgePki = forge.pki as typeof forge.pki & { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };

async function keyPair(): Promise<KeyPair> {
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return { privateKey, publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()) };
}

/** Builds the certificate with node-forge and signs it with node:crypto (forge's own RSA is slow under jest). */
function certificate(
  subject: string,
  key: KeyPair,
  issuer: forge.pki.CertificateField[],
  signer: KeyObject,
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3_600_000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer(issuer);
  cert.setExtensions(extensions);
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.tbsCertificate = forgePki.getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, signer).toString('binary');
  return cert;
}

/** A CA made for this run and a server certificate for 127.0.0.1 and localhost that it signed. */
export async function createServerCertificates(): Promise<ServerCertificates> {
  // Both key pairs are generated at once, off the main thread.
  const [ca, server] = await Promise.all([keyPair(), keyPair()]);
  const caName = [{ name: 'commonName', value: 'kube-api-test-server CA' }];
  const caCert = certificate('kube-api-test-server CA', ca, caName, ca.privateKey, [
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true },
  ]);
  const serverCert = certificate('127.0.0.1', server, caName, ca.privateKey, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  return {
    caPem: forge.pki.certificateToPem(caCert),
    certPem: forge.pki.certificateToPem(serverCert),
    keyPem: server.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}
