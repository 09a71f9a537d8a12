// A setting's value as faultline reads every environment variable and flag:
// trimmed, and absent when empty or only white space.
export function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}
