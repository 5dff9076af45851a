import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DeploymentConfigError, parseDeploymentConfig, type DeploymentConfig } from './deployment-config';

/**
 * Reads a deployment config file (`.json` as JSON, anything else as YAML) and validates it. For the CDK app and the
 * CLI; kept out of the library entry, so that a stack embedding SnapshotScheduler loads no YAML parser.
 */
export function loadDeploymentConfig(path: string): DeploymentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DeploymentConfigError(`Cannot read the deployment config ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new DeploymentConfigError(
      `The deployment config ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
    );
  }
  return parseDeploymentConfig(raw, path);
}
