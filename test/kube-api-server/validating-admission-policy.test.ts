import { KubeStatusError } from '../../simulator/kube-api-server/kube-status';
import {
  ValidatingAdmissionPolicies,
  type AdmissionAttributes,
  type AdmissionRecord,
} from '../../simulator/kube-api-server/validating-admission-policy';

/**
 * The test server's ValidatingAdmissionPolicy evaluation against the semantics the Kubernetes docs and the apiserver's
 * policy/validating package give (validating-admission-policy.md; dispatcher.go, validator.go).
 */

type Json = Record<string, unknown>;

function policy(spec: Json, name = 'demo-policy.example.com'): Json {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: {
      matchConstraints: {
        resourceRules: [
          { apiGroups: ['postgresql.cnpg.io'], apiVersions: ['v1'], resources: ['backups'], operations: ['CREATE', 'DELETE'] },
        ],
      },
      ...spec,
    },
  };
}

function binding(validationActions: string[] = ['Deny'], policyName = 'demo-policy.example.com'): Json {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: 'demo-binding' },
    spec: { policyName, validationActions },
  };
}

const backup = (spec: Json = { cluster: { name: 'hendrix' }, method: 'volumeSnapshot' }, labels: Record<string, string> = {}): Json => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Backup',
  metadata: { name: 'b-1', namespace: 'demo', labels },
  spec,
});

function request(overrides: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return {
    operation: 'CREATE',
    resource: { group: 'postgresql.cnpg.io', version: 'v1', resource: 'backups' },
    kind: { group: 'postgresql.cnpg.io', version: 'v1', kind: 'Backup' },
    subResource: '',
    namespace: 'demo',
    name: 'b-1',
    namespaced: true,
    object: backup(),
    oldObject: null,
    userInfo: { username: 'alice', groups: ['team', 'system:authenticated'] },
    ...overrides,
  };
}

const admit = (objects: Json[], attributes: AdmissionAttributes): AdmissionRecord =>
  ValidatingAdmissionPolicies.fromObjects(objects).admit(attributes);

const denialOf = (record: AdmissionRecord) => {
  expect(record.denial).toBeInstanceOf(KubeStatusError);
  return record.denial!.status;
};

describe('validations', () => {
  test('a false validation denies with the API server Status: 422 Invalid, the policy and binding named, the message as a cause', () => {
    const status = denialOf(
      admit([policy({ validations: [{ expression: "object.spec.method == 'barmanObjectStore'" }] }), binding()], request()),
    );
    const message =
      "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding' denied request: failed expression: object.spec.method == 'barmanObjectStore'";
    expect(status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `backups.postgresql.cnpg.io "b-1" is forbidden: ${message}`,
      reason: 'Invalid',
      code: 422,
      details: { name: 'b-1', group: 'postgresql.cnpg.io', kind: 'backups', causes: [{ message }] },
    });
  });

  test('a true validation admits', () => {
    expect(
      admit([policy({ validations: [{ expression: "object.spec.method == 'volumeSnapshot'" }] }), binding()], request()).denial,
    ).toBeUndefined();
  });

  test.each([
    ['Forbidden', 403],
    ['Unauthorized', 401],
    ['RequestEntityTooLarge', 413],
    ['Invalid', 422],
  ])('reason %s answers %i', (reason, code) => {
    const status = denialOf(admit([policy({ validations: [{ expression: 'false', reason }] }), binding()], request()));
    expect(status).toMatchObject({ reason, code });
  });

  test('messageExpression wins over message; message over the expression', () => {
    const message = (validation: Json) =>
      denialOf(admit([policy({ validations: [{ expression: 'false', ...validation }] }), binding()], request())).details!.causes![0]!
        .message;
    expect(message({ message: 'static', messageExpression: "'from ' + object.metadata.name" })).toMatch(/denied request: from b-1$/);
    expect(message({ message: 'static' })).toMatch(/denied request: static$/);
    // A multi-line or failing messageExpression falls back to the message.
    expect(message({ message: 'static', messageExpression: "'two\\nlines'" })).toMatch(/denied request: static$/);
    expect(message({ message: 'static', messageExpression: 'object.nosuch' })).toMatch(/denied request: static$/);
  });

  test('the first denied validation is the one reported', () => {
    const status = denialOf(
      admit(
        [
          policy({
            validations: [{ expression: 'true' }, { expression: 'false', message: 'second' }, { expression: 'false', message: 'third' }],
          }),
          binding(),
        ],
        request(),
      ),
    );
    expect(status.message).toMatch(/denied request: second$/);
  });

  test('a DELETE has the deleted object as oldObject and a null object; whole numbers are ints', () => {
    const rules = [{ expression: 'object == null && oldObject.metadata.name == request.name && oldObject.spec.n == 3' }];
    const attributes = request({ operation: 'DELETE', object: null, oldObject: backup({ cluster: { name: 'x' }, n: 3 }) });
    expect(admit([policy({ validations: rules }), binding()], attributes).denial).toBeUndefined();
  });

  test("request carries the operation, resource, namespace and the user's name and groups", () => {
    const rules = [
      {
        expression:
          "request.operation == 'CREATE' && request.resource.resource == 'backups' && request.namespace == 'demo' && request.userInfo.username == 'alice' && 'team' in request.userInfo.groups",
      },
    ];
    expect(admit([policy({ validations: rules }), binding()], request()).denial).toBeUndefined();
  });
});

describe('failurePolicy', () => {
  const failing = [{ expression: 'object.spec.nosuch == 1' }];

  test('Fail (the default): an expression error denies, naming the expression', () => {
    const status = denialOf(admit([policy({ validations: failing }), binding()], request()));
    expect(status.message).toContain("denied request: expression 'object.spec.nosuch == 1' resulted in error:");
  });

  test('Ignore: an expression error admits', () => {
    expect(admit([policy({ validations: failing, failurePolicy: 'Ignore' }), binding()], request()).denial).toBeUndefined();
  });

  test('Ignore does not admit a validation that evaluated to false', () => {
    denialOf(admit([policy({ validations: [{ expression: 'false' }], failurePolicy: 'Ignore' }), binding()], request()));
  });
});

describe('what a policy matches', () => {
  const deny = { validations: [{ expression: 'false' }] };

  test('an operation or resource outside matchConstraints is not evaluated', () => {
    expect(admit([policy(deny), binding()], request({ operation: 'UPDATE' })).denial).toBeUndefined();
    const clusters = { group: 'postgresql.cnpg.io', version: 'v1', resource: 'clusters' };
    expect(admit([policy(deny), binding()], request({ resource: clusters })).denial).toBeUndefined();
  });

  test("'*' matches every resource but no subresource; '*/*' matches subresources too", () => {
    const rules = (resources: string[]) => ({
      matchConstraints: { resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], resources, operations: ['*'] }] },
    });
    const status = request({ subResource: 'status', operation: 'UPDATE' });
    expect(admit([policy({ ...deny, ...rules(['*']) }), binding()], status).denial).toBeUndefined();
    denialOf(admit([policy({ ...deny, ...rules(['*', '*/*']) }), binding()], status));
    denialOf(admit([policy({ ...deny, ...rules(['backups/status']) }), binding()], status));
  });

  test('a false match condition skips the policy', () => {
    const skipped = { ...deny, matchConditions: [{ name: 'group', expression: "'scheduler' in request.userInfo.groups" }] };
    expect(admit([policy(skipped), binding()], request()).denial).toBeUndefined();
    denialOf(admit([policy(skipped), binding()], request({ userInfo: { username: 'bob', groups: ['scheduler'] } })));
  });

  test('a match condition in error fails the request under Fail, unless another one is false', () => {
    const erring = { name: 'broken', expression: 'request.nosuch' };
    const falseOne = { name: 'never', expression: 'false' };
    denialOf(admit([policy({ ...deny, matchConditions: [erring] }), binding()], request()));
    expect(admit([policy({ ...deny, matchConditions: [erring, falseOne] }), binding()], request()).denial).toBeUndefined();
  });

  test('a policy without a binding is not enforced', () => {
    expect(admit([policy(deny)], request()).denial).toBeUndefined();
  });
});

describe('variables', () => {
  test('are evaluated when referred to: one in error fails only the expressions that use it', () => {
    const spec = {
      variables: [
        { name: 'broken', expression: 'object.spec.nosuch' },
        { name: 'method', expression: 'object.spec.method' },
      ],
      validations: [{ expression: "variables.method == 'volumeSnapshot'" }],
    };
    expect(admit([policy(spec), binding()], request()).denial).toBeUndefined();
    const uses = { ...spec, validations: [{ expression: 'variables.broken == 1' }] };
    expect(denialOf(admit([policy(uses), binding()], request())).message).toContain('resulted in error');
  });

  test('may refer to the variables before them', () => {
    const spec = {
      variables: [
        { name: 'spec', expression: 'object.spec' },
        { name: 'cluster', expression: 'variables.spec.cluster.name' },
      ],
      validations: [{ expression: "variables.cluster == 'hendrix'" }],
    };
    expect(admit([policy(spec), binding()], request()).denial).toBeUndefined();
  });
});

describe('validationActions and audit annotations', () => {
  const failing = { validations: [{ expression: 'true' }, { expression: 'false', message: 'not allowed' }] };

  test('Audit records the failure in the audit event as validation.policy.admission.k8s.io/validation_failure', () => {
    const record = admit([policy(failing), binding(['Deny', 'Audit'])], request());
    denialOf(record);
    expect(JSON.parse(record.auditAnnotations['validation.policy.admission.k8s.io/validation_failure']!)).toEqual([
      {
        message: 'not allowed',
        policy: 'demo-policy.example.com',
        binding: 'demo-binding',
        expressionIndex: 1,
        validationActions: ['Deny', 'Audit'],
      },
    ]);
  });

  test('Audit alone records without denying; Warn warns without denying', () => {
    const audited = admit([policy(failing), binding(['Audit'])], request());
    expect(audited.denial).toBeUndefined();
    expect(audited.auditAnnotations['validation.policy.admission.k8s.io/validation_failure']).toBeDefined();
    const warned = admit([policy(failing), binding(['Warn'])], request());
    expect(warned.denial).toBeUndefined();
    expect(warned.warnings).toEqual([
      "Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding': not allowed",
    ]);
  });

  test('auditAnnotations publish <policy>/<key> when the value is a string, nothing for null', () => {
    const spec = {
      validations: [{ expression: 'true' }],
      auditAnnotations: [
        { key: 'cluster', valueExpression: "'cluster ' + object.spec.cluster.name" },
        { key: 'absent', valueExpression: 'null' },
      ],
    };
    expect(admit([policy(spec), binding()], request()).auditAnnotations).toEqual({ 'demo-policy.example.com/cluster': 'cluster hendrix' });
  });

  test('an auditAnnotation that is neither string nor null fails the request under Fail', () => {
    const spec = { validations: [{ expression: 'true' }], auditAnnotations: [{ key: 'n', valueExpression: '1' }] };
    denialOf(admit([policy(spec), binding()], request()));
  });
});

describe('policies the API server would not accept, and features the test server does not model, are refused', () => {
  test.each([
    ['a syntax error', policy({ validations: [{ expression: 'object.spec.method ==' }] }), /compilation failed/],
    ['paramKind', policy({ paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'true' }] }), /spec.paramKind/],
    ['namespaceObject', policy({ validations: [{ expression: "namespaceObject.metadata.name == 'x'" }] }), /does not model/],
    ['Deny with Warn', binding(['Deny', 'Warn']), /not Deny with Warn/],
  ])('%s', (_name, object, error) => {
    expect(() => ValidatingAdmissionPolicies.fromObjects([object])).toThrow(error);
  });
});
