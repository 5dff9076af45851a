/** A refusal or failure the user can act on: printed as is (what happened and what to do), exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}
