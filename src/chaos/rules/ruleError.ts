/**
 * A rule, duration or guardrail that cannot be understood. The message names
 * the bad value and the expected form, ready to show to a user as it is.
 */
export class RuleError extends Error {
  override name = 'RuleError';
}
