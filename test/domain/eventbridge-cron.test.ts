import { cronProblem } from '../../lambdas/domain/eventbridge-cron';

describe('EventBridge cron expressions', () => {
  test.each([
    'cron(0 * * * ? *)',
    'cron(15 */2 * * ? *)',
    'cron(30 3 * * ? *)',
    'cron(0 0 ? * MON *)',
    'cron(0 12 1 * ? 2027)',
    'cron(0/10 8-17 ? * MON-FRI *)',
  ])('accepts %s', (expression) => expect(cronProblem(expression)).toBeUndefined());

  test.each([
    ['0 * * * *', 'must look like cron(0 * * * ? *)'],
    ['cron(0 * * * *)', 'has 5 fields'],
    ['cron(0 0 * * * * *)', 'has 7 fields'],
    ['cron(61 * * * ? *)', 'field 1 ("61") is not valid'],
    ['cron(0 24 * * ? *)', 'field 2 ("24") is not valid'],
    ['cron(0 * * * * *)', 'exactly one of day-of-month'],
    ['cron(0 * ? * ? *)', 'exactly one of day-of-month'],
    ['rate(1 hour)', 'must look like cron('],
  ])('rejects %s: %s', (expression, problem) => expect(cronProblem(expression)).toContain(problem));
});
