import type { StandInRequest, StandInResponse } from './http-stand-in';

const NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/** The Region a request is signed for (SigV4's credential scope: <key>/<date>/<region>/cloudformation/aws4_request). */
const CREDENTIAL_SCOPE = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/cloudformation\/aws4_request/;

const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * CloudFormation's DescribeStacks for one stack and its outputs, in the service's Query protocol: a form-encoded POST
 * (Action, Version, StackName), answered in XML (AWS CloudFormation API Reference, DescribeStacks: the
 * DescribeStacksResult with Stacks.member.N, each with StackName, StackId, CreationTime, StackStatus and
 * Outputs.member.N of OutputKey and OutputValue). An unknown stack is the 400 ValidationError
 * "Stack with id <name> does not exist" (same page, Errors; the Common Errors' ErrorResponse document). Given
 * `region`, the stack is there only: a stack is a regional resource (AWS CloudFormation User Guide, "Working with
 * stacks": a stack is created in one Region), so DescribeStacks signed for another Region does not find it.
 */
export function cloudFormationStandIn(stackName: string, outputs: Readonly<Record<string, string>>, region?: string) {
  return (request: StandInRequest): Promise<StandInResponse> => {
    const form = new URLSearchParams(request.body);
    const requestId = `local-${Date.now().toString(36)}`;
    if (form.get('Action') !== 'DescribeStacks')
      return Promise.resolve(errorResponse('InvalidAction', `Could not find operation ${form.get('Action') ?? ''}`, requestId));
    const asked = form.get('StackName') ?? '';
    const signedFor = CREDENTIAL_SCOPE.exec(request.headers.authorization ?? '')?.[1];
    if (asked !== stackName || (region !== undefined && signedFor !== region))
      return Promise.resolve(errorResponse('ValidationError', `Stack with id ${asked} does not exist`, requestId));
    const members = Object.entries(outputs)
      .map(([key, value]) => `<member><OutputKey>${escapeXml(key)}</OutputKey><OutputValue>${escapeXml(value)}</OutputValue></member>`)
      .join('');
    const body =
      `<DescribeStacksResponse xmlns="${NAMESPACE}"><DescribeStacksResult><Stacks><member>` +
      `<StackName>${escapeXml(stackName)}</StackName>` +
      `<StackId>arn:aws:cloudformation:${region ?? 'us-east-1'}:123456789012:stack/${escapeXml(stackName)}/local</StackId>` +
      `<CreationTime>2026-11-01T00:00:00.000Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>` +
      `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeStacksResponse>`;
    return Promise.resolve({ status: 200, headers: { 'Content-Type': 'text/xml' }, body });
  };
}

function errorResponse(code: string, message: string, requestId: string): StandInResponse {
  return {
    status: 400,
    headers: { 'Content-Type': 'text/xml' },
    body:
      `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
