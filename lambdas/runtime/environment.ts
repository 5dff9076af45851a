/** Reads a required environment variable set by the CDK stack; a missing one is a deployment bug. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set; redeploy the stack`);
  return value;
}
