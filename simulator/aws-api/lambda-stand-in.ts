import type { StandInRequest, StandInResponse } from './http-stand-in';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations(\?.*)?$/;

/**
 * Lambda's Invoke (request-response) for a few functions by name (AWS Lambda API Reference, Invoke): POST
 * /2015-03-31/functions/{FunctionName}/invocations with the event as the body; 200 with the function's answer as the
 * body; a function that threw still answers 200, with `X-Amz-Function-Error: Unhandled` and the error payload
 * `{errorType, errorMessage, trace}` the Node.js runtime writes (Lambda developer guide, "AWS Lambda function errors
 * in Node.js"). An unknown function is 404 ResourceNotFoundException (Invoke, Errors).
 */
export function lambdaStandIn(functions: ReadonlyMap<string, (event: unknown) => Promise<unknown>>) {
  return async (request: StandInRequest): Promise<StandInResponse> => {
    const name = INVOKE_PATH.exec(request.path)?.[1];
    const fn = name === undefined ? undefined : functions.get(decodeURIComponent(name));
    if (!fn)
      return {
        status: 404,
        headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ResourceNotFoundException' },
        body: JSON.stringify({ Type: 'User', message: `Function not found: ${name ?? request.path}` }),
      };
    const headers = { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST' };
    try {
      const answer = await fn(request.body === '' ? {} : JSON.parse(request.body));
      return { status: 200, headers, body: JSON.stringify(answer ?? null) };
    } catch (error) {
      const { name: errorType, message: errorMessage } = error instanceof Error ? error : new Error(String(error));
      return {
        status: 200,
        headers: { ...headers, 'X-Amz-Function-Error': 'Unhandled' },
        body: JSON.stringify({ errorType, errorMessage, trace: [] }),
      };
    }
  };
}
