import type { StandInRequest, StandInResponse } from './http-stand-in';

/** An attribute value in DynamoDB's JSON (API Reference, Data Types: AttributeValue); the stand-in stores S and N. */
export type StandInAttributeValue = { S: string } | { N: string };
type Item = Record<string, StandInAttributeValue>;

/** Raised to answer a request with one of DynamoDB's errors. */
class DynamoDbError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The `__type` of DynamoDB's errors (API Reference, Common Errors and each operation's Errors): the service's own
 * exceptions carry the `com.amazonaws.dynamodb.v20120810#` namespace, request validation `com.amazon.coral.validate#`.
 */
const validation = (message: string) => new DynamoDbError('com.amazon.coral.validate#ValidationException', message);
const ownError = (name: string, message: string) => new DynamoDbError(`com.amazonaws.dynamodb.v20120810#${name}`, message);

/** API Reference, Scan: "a maximum of 1 MB of data" is read per page. */
const SCAN_PAGE_BYTES = 1024 * 1024;
/** Developer Guide, "Service, account, and table quotas": the maximum item size is 400 KB. */
const MAX_ITEM_BYTES = 400 * 1024;

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const VALUE = ':[A-Za-z0-9_]+';
const SET_ASSIGN = new RegExp(`^(${NAME}) = (${VALUE})$`);
const SET_IF_NOT_EXISTS = new RegExp(`^(${NAME}) = if_not_exists\\((${NAME}), (${VALUE})\\)$`);
const NEWER_THAN = new RegExp(`^attribute_not_exists\\((${NAME})\\) OR (${NAME}) < (${VALUE})$`);

/**
 * DynamoDB's UpdateItem and Scan in the service's JSON protocol (awsJson1_0: POST /, `X-Amz-Target:
 * DynamoDB_20120810.<Operation>`, errors as 400 with `__type` and `message`), for tables of one string partition key
 * each, and only the subset of expressions a caller is known to send:
 * - UpdateExpression (Developer Guide, "Using update expressions in DynamoDB"): `SET a = :v`, `SET a =
 *   if_not_exists(a, :v)` (sets a only if the item has no a), and `REMOVE a`, comma-separated, SET then REMOVE;
 * - ConditionExpression (Developer Guide, "Condition expressions"): `attribute_not_exists(a) OR a < :v`, comparing
 *   numbers by value and strings by their UTF-8 bytes ("Comparison operator and function reference").
 * Anything else (ADD, DELETE, ExpressionAttributeNames, ReturnValues, other functions or operators) is refused with a
 * ValidationException naming it, so a caller that sends more is noticed here rather than modelled wrongly.
 */
export class DynamoDbStandIn {
  private readonly tables = new Map<string, { key: string; items: Map<string, Item> }>();

  /** `tables`: each table's name and its partition key attribute (a string). */
  constructor(tables: Readonly<Record<string, string>>) {
    for (const [name, key] of Object.entries(tables)) this.tables.set(name, { key, items: new Map() });
  }

  /** The items of a table, in the stand-in's scan order (for a test to read what was written). */
  items(table: string): Item[] {
    return structuredClone([...this.table(table).items.values()]);
  }

  handle = (request: StandInRequest): Promise<StandInResponse> => {
    const target = String(request.headers['x-amz-target'] ?? '');
    try {
      const body = JSON.parse(request.body || '{}') as Record<string, unknown>;
      switch (target) {
        case 'DynamoDB_20120810.UpdateItem':
          return Promise.resolve(ok(this.updateItem(body)));
        case 'DynamoDB_20120810.Scan':
          return Promise.resolve(ok(this.scan(body)));
        default:
          // API Reference, Common Errors: an operation the service does not have.
          throw new DynamoDbError('com.amazon.coral.service#UnknownOperationException', `The stand-in does not serve ${target}`);
      }
    } catch (error) {
      if (error instanceof DynamoDbError) return Promise.resolve(failure(error.type, error.message));
      throw error;
    }
  };

  /**
   * API Reference, UpdateItem: "Edits an existing item's attributes, or adds a new item to the table if it does not
   * already exist"; a ConditionExpression that evaluates to false fails the request with
   * ConditionalCheckFailedException "The conditional request failed" and changes nothing. Without ReturnValues it
   * answers an empty object.
   */
  private updateItem(body: Record<string, unknown>): Record<string, never> {
    const table = this.table(body.TableName);
    for (const field of ['ExpressionAttributeNames', 'ReturnValues', 'AttributeUpdates', 'Expected'])
      if (body[field] !== undefined) throw validation(`The stand-in does not model ${field}`);
    const key = keyOf(table.key, body.Key);
    const values = attributeValues(body.ExpressionAttributeValues);
    const used = new Set<string>();
    const value = (name: string) => {
      used.add(name);
      const found = values[name];
      // Developer Guide, "Expression attribute values": every :placeholder used must be defined.
      if (!found)
        throw validation(
          `Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: ${name}`,
        );
      return found;
    };
    const existing = table.items.get(key);
    let updated: Item = structuredClone(existing ?? { [table.key]: { S: key } });
    for (const action of updateActions(expressionText(body, 'UpdateExpression') ?? '')) {
      // Developer Guide, "Using update expressions": key attributes cannot be updated.
      if (action.attribute === table.key)
        throw validation(
          `One or more parameter values were invalid: Cannot update attribute ${table.key}. This attribute is part of the key`,
        );
      if (action.kind === 'remove') updated = Object.fromEntries(Object.entries(updated).filter(([name]) => name !== action.attribute));
      else if (action.kind === 'set') updated[action.attribute] = value(action.value);
      else if (action.ifNotExists !== action.attribute)
        throw validation(`The stand-in models if_not_exists only on the attribute being set, not ${action.ifNotExists}`);
      else {
        const fallback = value(action.value);
        updated[action.attribute] = existing?.[action.attribute] ?? fallback;
      }
    }
    const conditionText = expressionText(body, 'ConditionExpression');
    const condition = conditionText === undefined ? undefined : newerThan(conditionText);
    const bound = condition && value(condition.value);
    const holds = !condition || !bound || !existing?.[condition.absent] || isLess(existing[condition.compared], bound);
    // Developer Guide, "Expression attribute values": a value given and not used is refused.
    const unused = Object.keys(values).filter((name) => !used.has(name));
    if (unused.length > 0)
      throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unused.join(', ')}}`);
    if (!holds) throw ownError('ConditionalCheckFailedException', 'The conditional request failed');
    if (itemBytes(updated) > MAX_ITEM_BYTES) throw validation('Item size to update has exceeded the maximum allowed size');
    table.items.set(key, updated);
    return {};
  }

  /**
   * API Reference, Scan: reads items until `Limit` items or 1 MB of data were read, whichever first; when it stopped
   * for either, it answers LastEvaluatedKey (the key of the last item read), and the next Scan goes on after
   * ExclusiveStartKey. Only the final page has no LastEvaluatedKey. The order of items is the service's own (by the
   * hash of the partition key); the stand-in's is the order the items were first written.
   */
  private scan(body: Record<string, unknown>): { Items: Item[]; Count: number; ScannedCount: number; LastEvaluatedKey?: Item } {
    const table = this.table(body.TableName);
    for (const field of ['FilterExpression', 'ProjectionExpression', 'Segment', 'IndexName', 'Select'])
      if (body[field] !== undefined) throw validation(`The stand-in does not model ${field}`);
    const limit = body.Limit === undefined ? Infinity : Number(body.Limit);
    // API Reference, Scan: Limit is an integer with a minimum value of 1.
    if (limit !== Infinity && !(Number.isInteger(limit) && limit >= 1))
      throw validation(
        `1 validation error detected: Value '${String(body.Limit)}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
      );
    const keys = [...table.items.keys()];
    const after = body.ExclusiveStartKey === undefined ? -1 : keys.indexOf(keyOf(table.key, body.ExclusiveStartKey));
    if (body.ExclusiveStartKey !== undefined && after < 0) throw validation('The provided starting key is invalid');
    const page: Item[] = [];
    let bytes = 0;
    for (const key of keys.slice(after + 1)) {
      const item = table.items.get(key)!;
      page.push(structuredClone(item));
      bytes += itemBytes(item);
      if (page.length >= limit || bytes >= SCAN_PAGE_BYTES) break;
    }
    const last = page.at(-1);
    const stopped = page.length >= limit || bytes >= SCAN_PAGE_BYTES;
    return {
      Items: page,
      Count: page.length,
      ScannedCount: page.length,
      ...(stopped && last && { LastEvaluatedKey: { [table.key]: last[table.key]! } }),
    };
  }

  private table(name: unknown) {
    const table = this.tables.get(String(name));
    // API Reference, UpdateItem and Scan, Errors: ResourceNotFoundException for a table that does not exist.
    if (!table) throw ownError('ResourceNotFoundException', 'Requested resource not found');
    return table;
  }
}

type UpdateAction =
  | { kind: 'set'; attribute: string; value: string }
  | { kind: 'setIfNotExists'; attribute: string; ifNotExists: string; value: string }
  | { kind: 'remove'; attribute: string };

/** The clauses of an update expression in the modelled subset: `SET a = :v, b = if_not_exists(b, :w) REMOVE c, d`. */
function updateActions(expression: string): UpdateAction[] {
  const match = /^(?:SET (.+?))?\s*(?:REMOVE (.+))?$/.exec(expression.trim());
  if (!expression.trim() || !match || (!match[1] && !match[2]))
    throw validation(
      `The stand-in models only "SET a = :v[, b = if_not_exists(b, :w)] [REMOVE c[, d]]" update expressions, not "${expression}"`,
    );
  const sets = (match[1] ?? '')
    .split(/,\s*(?![^(]*\))/)
    .filter(Boolean)
    .map((clause): UpdateAction => {
      const plain = SET_ASSIGN.exec(clause.trim());
      if (plain) return { kind: 'set', attribute: plain[1]!, value: plain[2]! };
      const guarded = SET_IF_NOT_EXISTS.exec(clause.trim());
      if (guarded) return { kind: 'setIfNotExists', attribute: guarded[1]!, ifNotExists: guarded[2]!, value: guarded[3]! };
      throw validation(`The stand-in models only "a = :v" and "a = if_not_exists(a, :v)" in SET, not "${clause.trim()}"`);
    });
  const removes = (match[2] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name): UpdateAction => {
      if (!new RegExp(`^${NAME}$`).test(name)) throw validation(`The stand-in models only attribute names in REMOVE, not "${name}"`);
      return { kind: 'remove', attribute: name };
    });
  return [...sets, ...removes];
}

/** An expression of the request: a string (API Reference, UpdateItem: UpdateExpression and ConditionExpression are). */
function expressionText(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || typeof value === 'string') return value;
  throw validation(`${field} must be a string`);
}

/** The one condition modelled: `attribute_not_exists(a) OR b < :v`. */
function newerThan(expression: string): { absent: string; compared: string; value: string } {
  const match = NEWER_THAN.exec(expression.trim());
  if (!match) throw validation(`The stand-in models only "attribute_not_exists(a) OR a < :v" conditions, not "${expression}"`);
  return { absent: match[1]!, compared: match[2]!, value: match[3]! };
}

/**
 * Developer Guide, "Comparison operator and function reference": `<` compares numbers by value and strings by their
 * UTF-8 bytes; operands of different types compare false.
 */
function isLess(left: StandInAttributeValue | undefined, right: StandInAttributeValue): boolean {
  if (left && 'N' in left && 'N' in right) return Number(left.N) < Number(right.N);
  if (left && 'S' in left && 'S' in right) return Buffer.compare(Buffer.from(left.S), Buffer.from(right.S)) < 0;
  return false;
}

function attributeValues(raw: unknown): Record<string, StandInAttributeValue> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null) throw validation('ExpressionAttributeValues must be a map');
  return Object.fromEntries(Object.entries(raw).map(([name, value]) => [name, attributeValue(name, value)]));
}

function attributeValue(name: string, raw: unknown): StandInAttributeValue {
  const value = raw as Record<string, unknown> | null;
  if (value && Object.keys(value).length === 1 && typeof value.S === 'string') return { S: value.S };
  if (value && Object.keys(value).length === 1 && typeof value.N === 'string' && Number.isFinite(Number(value.N))) return { N: value.N };
  throw validation(`The stand-in models only S and N attribute values, not ${name}: ${JSON.stringify(raw)}`);
}

/** The partition key's string of a Key (API Reference, UpdateItem: "the primary key of the item"). */
function keyOf(keyAttribute: string, raw: unknown): string {
  const key = (raw ?? {}) as Record<string, unknown>;
  const value = attributeValue(keyAttribute, key[keyAttribute]);
  if (Object.keys(key).length !== 1 || !('S' in value)) throw validation('The provided key element does not match the schema');
  return value.S;
}

/**
 * Developer Guide, "Item sizes and formats": an item's size is the UTF-8 length of its attribute names plus that of
 * its values; a number is about one byte per two significant digits, plus one.
 */
function itemBytes(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => {
    const size = 'S' in value ? Buffer.byteLength(value.S) : Math.ceil(value.N.replace(/[-.]/g, '').replace(/^0+/, '').length / 2) + 1;
    return sum + Buffer.byteLength(name) + size;
  }, 0);
}

const JSON_HEADERS = { 'Content-Type': 'application/x-amz-json-1.0' };

function ok(payload: unknown): StandInResponse {
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(payload) };
}

function failure(type: string, message: string): StandInResponse {
  return { status: 400, headers: JSON_HEADERS, body: JSON.stringify({ __type: type, message }) };
}
