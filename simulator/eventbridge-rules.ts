/**
 * The EventBridge rules of the synthesized stack, applied to the events the handlers publish: which rule matches an
 * event, and what its target receives. Only the parts of EventBridge the stack uses are modelled; anything else in a
 * pattern or a template is refused, so the model cannot silently disagree with AWS.
 */

/** An event as EventBridge delivers it to a target (EventBridge user guide, "Amazon EventBridge events": the envelope). */
export interface EventBridgeEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface RuleTarget {
  /** The target's ARN as the template writes it: `{ "Fn::GetAtt": [id, "Arn"] }` for a function, `{ Ref: id }` for a topic. */
  resource: string;
  inputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string };
}

export interface EventRule {
  logicalId: string;
  eventPattern?: Record<string, unknown>;
  scheduleExpression?: string;
  targets: RuleTarget[];
}

interface TemplateRule {
  Type: string;
  Properties: {
    EventPattern?: Record<string, unknown>;
    ScheduleExpression?: string;
    Targets?: Array<{ Arn: unknown; InputTransformer?: RuleTarget['inputTransformer'] }>;
  };
}

/** Every `AWS::Events::Rule` of a synthesized template. */
export function eventRulesOf(template: { Resources: Record<string, { Type: string }> }): EventRule[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
    .map(([logicalId, resource]) => {
      const { EventPattern, ScheduleExpression, Targets } = (resource as TemplateRule).Properties;
      return {
        logicalId,
        ...(EventPattern && { eventPattern: EventPattern }),
        ...(ScheduleExpression && { scheduleExpression: ScheduleExpression }),
        targets: (Targets ?? []).map((target) => ({
          resource: targetResource(target.Arn),
          ...(target.InputTransformer && { inputTransformer: target.InputTransformer }),
        })),
      };
    });
}

function targetResource(arn: unknown): string {
  const ref = arn as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (ref.Ref) return ref.Ref;
  if (ref['Fn::GetAtt']) return ref['Fn::GetAtt'][0];
  throw new Error(`eventbridge-rules: unsupported target ARN ${JSON.stringify(arn)}`);
}

/**
 * Whether an event matches a pattern (EventBridge user guide, "Creating event patterns"): every field the pattern
 * names must be in the event; a list of values matches when the event's value equals one of them; a nested object
 * matches the event's nested object the same way. Content filters (prefix, numeric, anything-but...) are not used
 * by the stack and are refused.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) {
      if (expected.some((value) => typeof value === 'object' && value !== null))
        throw new Error(`eventbridge-rules: content filters are not modelled (${field})`);
      return expected.includes(actual);
    }
    if (typeof expected === 'object' && expected !== null)
      return (
        typeof actual === 'object' &&
        actual !== null &&
        matchesPattern(expected as Record<string, unknown>, actual as Record<string, unknown>)
      );
    throw new Error(`eventbridge-rules: a pattern value must be a list or an object (${field})`);
  });
}

/**
 * What a rule target receives (EventBridge user guide, "Transforming target input"): without a transformer, the
 * whole event; with one, the template with each `<name>` replaced by the value at its path, inserted as JSON (a
 * string with its quotes, an object as an object). Only dotted paths from `$` to values the event has are
 * modelled: what EventBridge does with a path the event lacks is not documented there, so it is refused here.
 */
export function targetInput(target: RuleTarget, event: EventBridgeEnvelope): unknown {
  if (!target.inputTransformer) return event;
  const { InputPathsMap, InputTemplate } = target.inputTransformer;
  const filled = InputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (placeholder, name: string) => {
    const path = InputPathsMap[name];
    if (!path) throw new Error(`eventbridge-rules: ${placeholder} has no input path`);
    const value = valueAt(event, path);
    if (value === undefined) throw new Error(`eventbridge-rules: the event has nothing at ${path}`);
    return JSON.stringify(value);
  });
  return JSON.parse(filled);
}

function valueAt(event: EventBridgeEnvelope, path: string): unknown {
  if (!path.startsWith('$.')) throw new Error(`eventbridge-rules: unsupported input path ${path}`);
  let value: unknown = event;
  for (const key of path.slice(2).split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}
