import { formatUrl } from '@aws-sdk/util-format-url';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * The presigned STS GetCallerIdentity URL an EKS bearer token carries, made as aws-iam-authenticator makes it:
 * regional host, `host` and `x-k8s-aws-id: <cluster>` signed. The test server signs the same inputs again to check a
 * token, and the server's own tests use it to issue tokens.
 */
export interface GetCallerIdentityPresign {
  region: string;
  clusterName: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  signedAt: Date;
  expiresInSeconds: number;
}

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';

export async function presignGetCallerIdentity(input: GetCallerIdentityPresign): Promise<string> {
  const hostname = `sts.${input.region}.amazonaws.com`;
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, 'x-k8s-aws-id': input.clusterName },
  });
  const signer = new SignatureV4({
    service: 'sts',
    region: input.region,
    credentials: input.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  return formatUrl(await signer.presign(request, { expiresIn: input.expiresInSeconds, signingDate: input.signedAt }));
}
