import { celEnv, celMap, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { celValueOf, LazyVariables } from './cel-values';
import { KubeStatusError, type KubeStatus } from './kube-status';

/**
 * ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) as the API server evaluates it, with a real CEL engine.
 * Sources: kubernetes/website content/en/docs/reference/access-authn-authz/validating-admission-policy.md, and
 * kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/admission/plugin/policy/validating (dispatcher.go Dispatch,
 * validator.go Validate, policy_decision.go reasonToCode). Modelled: matchConstraints.resourceRules, matchConditions,
 * variables (lazy), validations with message / messageExpression / reason, failurePolicy, auditAnnotations, and the
 * binding's validationActions Deny / Warn / Audit. Not modelled (refused when a policy uses them, so nothing is silently
 * ignored): paramKind / paramRef, namespaceSelector, objectSelector, excludeResourceRules, a binding's matchResources,
 * the `namespaceObject` and `authorizer` variables, and the CEL cost budget.
 */

type Json = Record<string, unknown>;
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What admission knows of a request (admission.Attributes), as the CEL `request` variable and `object`s show it. */
export interface AdmissionAttributes {
  operation: AdmissionOperation;
  resource: { group: string; version: string; resource: string };
  kind: { group: string; version: string; kind: string };
  subResource: string;
  /** '' for a cluster-scoped resource. */
  namespace: string;
  /** The name on the URL, or of the object being created ('' when it is to be generated). */
  name: string;
  namespaced: boolean;
  object: Json | null;
  oldObject: Json | null;
  userInfo: { username: string; groups: readonly string[] };
}

/** What the policies made of a request: audit annotations (key -> value), warnings, and the denial if any. */
export interface AdmissionRecord {
  auditAnnotations: Record<string, string>;
  warnings: string[];
  denial?: KubeStatusError;
}

type Program = (bindings: Record<string, CelInput>) => unknown;

interface ResourceRule {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
  scope?: 'Cluster' | 'Namespaced' | '*';
}

interface Validation {
  expression: string;
  program: Program;
  message?: string;
  messageExpression?: Program;
  reason?: string;
}

interface CompiledPolicy {
  name: string;
  failurePolicy: 'Fail' | 'Ignore';
  rules: ResourceRule[];
  matchConditions: Array<{ name: string; program: Program }>;
  variables: Array<{ name: string; program: Program }>;
  validations: Validation[];
  auditAnnotations: Array<{ key: string; program: Program }>;
}

interface Binding {
  name: string;
  policyName: string;
  validationActions: Array<'Deny' | 'Warn' | 'Audit'>;
}

interface Decision {
  policy: string;
  binding: string;
  message: string;
  reason: string;
}

const UNSUPPORTED_VARIABLES = /\b(params|namespaceObject|authorizer)\b/;
const VALIDATION_FAILURE_KEY = 'validation.policy.admission.k8s.io/validation_failure';

const asRecord = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

class PolicyConfigurationError extends Error {}

/** Parses and plans one expression; a syntax error rejects the policy, as the API server does when it is created. */
function compile(policy: string, field: string, expression: unknown): Program {
  if (typeof expression !== 'string' || expression.trim() === '')
    throw new PolicyConfigurationError(`ValidatingAdmissionPolicy ${policy}: ${field} is required`);
  if (UNSUPPORTED_VARIABLES.test(expression))
    throw new PolicyConfigurationError(`ValidatingAdmissionPolicy ${policy}: ${field} uses a variable the test server does not model`);
  let parsed;
  try {
    parsed = parse(expression);
  } catch (error) {
    throw new PolicyConfigurationError(`ValidatingAdmissionPolicy ${policy}: ${field}: compilation failed: ${(error as Error).message}`);
  }
  // The API server's CEL environment has the strings extension (substring, ...): kubernetes
  // staging/src/k8s.io/apiserver/pkg/cel/environment/base.go, baseOptsWithoutStrictCost, ext.Strings(ext.StringsVersion(2)).
  const program = plan(celEnv({ funcs: strings }), parsed);
  return (bindings) => {
    const result = program(bindings);
    if (isCelError(result)) throw new Error(`expression '${expression}' resulted in error: ${result.message}`);
    return result;
  };
}

function refuseUnsupported(policy: string, spec: Json): void {
  const constraints = asRecord(spec.matchConstraints);
  const unsupported = [
    spec.paramKind !== undefined && 'spec.paramKind',
    Object.keys(asRecord(constraints.namespaceSelector)).length > 0 && 'spec.matchConstraints.namespaceSelector',
    Object.keys(asRecord(constraints.objectSelector)).length > 0 && 'spec.matchConstraints.objectSelector',
    constraints.excludeResourceRules !== undefined && 'spec.matchConstraints.excludeResourceRules',
  ].filter((field) => field !== false);
  if (unsupported.length > 0)
    throw new PolicyConfigurationError(`ValidatingAdmissionPolicy ${policy}: the test server does not model ${unsupported.join(', ')}`);
}

function compilePolicy(object: Json): CompiledPolicy {
  const name = String(asRecord(object.metadata).name);
  const spec = asRecord(object.spec);
  refuseUnsupported(name, spec);
  const list = (value: unknown) => (Array.isArray(value) ? (value as Json[]) : []);
  return {
    name,
    failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    rules: list(asRecord(spec.matchConstraints).resourceRules),
    matchConditions: list(spec.matchConditions).map((c, i) => ({
      name: String(c.name),
      program: compile(name, `spec.matchConditions[${i}].expression`, c.expression),
    })),
    variables: list(spec.variables).map((v, i) => ({
      name: String(v.name),
      program: compile(name, `spec.variables[${i}].expression`, v.expression),
    })),
    validations: list(spec.validations).map((v, i) => ({
      expression: String(v.expression),
      program: compile(name, `spec.validations[${i}].expression`, v.expression),
      ...(typeof v.message === 'string' && { message: v.message }),
      ...(v.messageExpression !== undefined && {
        messageExpression: compile(name, `spec.validations[${i}].messageExpression`, v.messageExpression),
      }),
      ...(typeof v.reason === 'string' && { reason: v.reason }),
    })),
    auditAnnotations: list(spec.auditAnnotations).map((a, i) => ({
      key: String(a.key),
      program: compile(name, `spec.auditAnnotations[${i}].valueExpression`, a.valueExpression),
    })),
  };
}

function parseBinding(object: Json): Binding {
  const name = String(asRecord(object.metadata).name);
  const spec = asRecord(object.spec);
  if (spec.paramRef !== undefined || spec.matchResources !== undefined)
    throw new PolicyConfigurationError(
      `ValidatingAdmissionPolicyBinding ${name}: the test server does not model paramRef or matchResources`,
    );
  const actions = Array.isArray(spec.validationActions) ? (spec.validationActions as Binding['validationActions']) : [];
  // admissionregistration validation: at least one action, and Deny with Warn is refused.
  if (actions.length === 0 || (actions.includes('Deny') && actions.includes('Warn')))
    throw new PolicyConfigurationError(
      `ValidatingAdmissionPolicyBinding ${name}: spec.validationActions must be set, and not Deny with Warn`,
    );
  return { name, policyName: String(spec.policyName), validationActions: actions };
}

const listed = (values: readonly string[] | undefined, value: string) => (values ?? []).some((v) => v === '*' || v === value);

/**
 * admissionregistration/v1 RuleWithOperations: `*` is every resource but no subresource, `*\/*` every resource and
 * subresource, `pods/*` every subresource of pods, `*\/scale` every scale subresource.
 */
function resourceMatches(patterns: readonly string[] | undefined, resource: string, subResource: string): boolean {
  return (patterns ?? []).some((pattern) => {
    const [patternResource, patternSub] = pattern.split('/');
    if (subResource === '') return patternSub === undefined && (patternResource === '*' || patternResource === resource);
    return (patternResource === '*' || patternResource === resource) && (patternSub === '*' || patternSub === subResource);
  });
}

function ruleMatches(rule: ResourceRule, a: AdmissionAttributes): boolean {
  const scope = rule.scope ?? '*';
  return (
    listed(rule.operations, a.operation) &&
    listed(rule.apiGroups, a.resource.group) &&
    listed(rule.apiVersions, a.resource.version) &&
    resourceMatches(rule.resources, a.resource.resource, a.subResource) &&
    (scope === '*' || (scope === 'Namespaced') === a.namespaced)
  );
}

/** The CEL `request`: an admission.k8s.io/v1 AdmissionRequest (plugin/cel filter.go CreateAdmissionRequest). */
function requestOf(a: AdmissionAttributes): Json {
  return {
    kind: a.kind,
    resource: a.resource,
    subResource: a.subResource,
    requestKind: a.kind,
    requestResource: a.resource,
    requestSubResource: a.subResource,
    name: a.name,
    namespace: a.namespace,
    operation: a.operation,
    userInfo: { username: a.userInfo.username, groups: [...a.userInfo.groups] },
    dryRun: false,
  };
}

/** The validating admission policies the API server holds, evaluated on every request they match. */
export class ValidatingAdmissionPolicies {
  private constructor(
    private readonly policies: CompiledPolicy[],
    private readonly bindings: Binding[],
  ) {}

  /** From manifest objects of any kind; other kinds are ignored. Throws when a policy would not be admitted. */
  static fromObjects(objects: readonly unknown[]): ValidatingAdmissionPolicies {
    const records = objects.map(asRecord);
    return new ValidatingAdmissionPolicies(
      records.filter((o) => o.kind === 'ValidatingAdmissionPolicy').map(compilePolicy),
      records.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding').map(parseBinding),
    );
  }

  get size(): number {
    return this.policies.length;
  }

  /** Evaluates every matching policy; `denial` is the API server's 4xx Status for the first denial (dispatcher.go Dispatch). */
  admit(attributes: AdmissionAttributes): AdmissionRecord {
    const record: AdmissionRecord = { auditAnnotations: {}, warnings: [] };
    const denied: Decision[] = [];
    for (const policy of this.policies) {
      if (!policy.rules.some((rule) => ruleMatches(rule, attributes))) continue;
      const annotations = new Map<string, string[]>();
      for (const binding of this.bindings.filter((b) => b.policyName === policy.name)) {
        const decisions = this.evaluate(policy, binding, attributes, annotations);
        for (const { decision, index } of decisions) {
          for (const action of binding.validationActions) {
            if (action === 'Deny') denied.push(decision);
            if (action === 'Warn')
              record.warnings.push(
                `Validation failed for ValidatingAdmissionPolicy '${policy.name}' with binding '${binding.name}': ${decision.message}`,
              );
            // attributes.AddAnnotation keeps the first value of a key.
            if (action === 'Audit' && record.auditAnnotations[VALIDATION_FAILURE_KEY] === undefined)
              record.auditAnnotations[VALIDATION_FAILURE_KEY] = JSON.stringify([
                {
                  message: decision.message,
                  policy: policy.name,
                  binding: binding.name,
                  expressionIndex: index,
                  validationActions: binding.validationActions,
                },
              ]);
          }
        }
      }
      // auditAnnotationCollector.publish: `<policy>/<key>`, distinct values of several bindings joined by ", ".
      for (const [key, values] of annotations) record.auditAnnotations[`${policy.name}/${key}`] = values.join(', ');
    }
    const first = denied[0];
    if (first) record.denial = policyDenial(first, attributes);
    return record;
  }

  /** validator.go Validate for one binding: the denied validations (with their index), audit annotations collected. */
  private evaluate(
    policy: CompiledPolicy,
    binding: Binding,
    attributes: AdmissionAttributes,
    annotations: Map<string, string[]>,
  ): Array<{ decision: Decision; index: number }> {
    const deny = (message: string, reason = 'Invalid'): Decision => ({ policy: policy.name, binding: binding.name, message, reason });
    const onError = (message: string, index: number) => (policy.failurePolicy === 'Fail' ? [{ decision: deny(message), index }] : []);
    const bindings: Record<string, CelInput> = {
      object: celValueOf(attributes.object),
      oldObject: celValueOf(attributes.oldObject),
      request: celValueOf(requestOf(attributes)),
    };
    bindings.variables = celMap(new LazyVariables(new Map(policy.variables.map((v) => [v.name, () => v.program(bindings)]))));

    // Any false match condition skips the policy, whatever the errors; otherwise an error is a failure.
    const outcomes = policy.matchConditions.map((condition) => {
      try {
        return condition.program(bindings) === true;
      } catch (error) {
        return error as Error;
      }
    });
    if (outcomes.some((outcome) => outcome === false)) return [];
    const error = outcomes.find((outcome): outcome is Error => outcome instanceof Error);
    if (error) return onError(error.message, 0);

    const decisions: Array<{ decision: Decision; index: number }> = [];
    policy.validations.forEach((validation, index) => {
      let result: unknown;
      try {
        result = validation.program(bindings);
      } catch (failure) {
        decisions.push(...onError((failure as Error).message, index));
        return;
      }
      if (result === true) return;
      decisions.push({ decision: deny(messageOf(validation, bindings), validation.reason), index });
    });
    for (const annotation of policy.auditAnnotations) {
      let value: unknown;
      try {
        value = annotation.program(bindings);
      } catch (failure) {
        decisions.push(...onError((failure as Error).message, 0));
        continue;
      }
      if (value === null || (typeof value === 'string' && value.trim() === '')) continue;
      if (typeof value !== 'string') {
        decisions.push(...onError(`valueExpression of audit annotation '${annotation.key}' must evaluate to a string or null`, 0));
        continue;
      }
      const values = annotations.get(annotation.key) ?? [];
      if (!values.includes(value.trim())) values.push(value.trim());
      annotations.set(annotation.key, values);
    }
    return decisions;
  }
}

/** messageExpression when it yields a one-line string, else message, else `failed expression: <expression>`. */
function messageOf(validation: Validation, bindings: Record<string, CelInput>): string {
  if (validation.messageExpression) {
    try {
      const value = validation.messageExpression(bindings);
      if (typeof value === 'string' && value.trim() !== '' && !value.includes('\n')) return value.trim();
    } catch {
      // validator.go: an error in messageExpression falls back to the static message
    }
  }
  if (validation.message?.trim()) return validation.message.trim();
  return `failed expression: ${validation.expression.trim()}`;
}

const REASON_CODES: Record<string, number> = { Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413, Invalid: 422 };

/**
 * admission.NewForbidden's Status with the denial's reason and code: `<resource>.<group> "<name>" is forbidden:
 * ValidatingAdmissionPolicy '<p>' with binding '<b>' denied request: <message>`, the message repeated as a cause.
 */
function policyDenial(decision: Decision, attributes: AdmissionAttributes): KubeStatusError {
  const { group, resource } = attributes.resource;
  const generateName = asRecord(attributes.object?.metadata).generateName;
  const name = attributes.name || (typeof generateName === 'string' ? generateName : '') || 'Unknown';
  const message = `ValidatingAdmissionPolicy '${decision.policy}' with binding '${decision.binding}' denied request: ${decision.message}`;
  const status: KubeStatus = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${group ? `${resource}.${group}` : resource} "${name}" is forbidden: ${message}`,
    reason: decision.reason,
    code: REASON_CODES[decision.reason] ?? 422,
    details: { name, group, kind: resource, causes: [{ message }] },
  };
  return new KubeStatusError(status);
}
