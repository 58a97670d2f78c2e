/** The billing plans this back-end offers (GET /) and how a job's `plan` is resolved against them. */
import { OpenEOError } from '../errors.ts';

export const BILLING = {
  currency: null,
  default_plan: 'free',
  plans: [{ name: 'free', description: 'Processing is free of charge.', paid: false }],
};

/**
 * The plan to store for a job, as the API resolves it: a given plan matched case-insensitively (stored as offered),
 * none (null) the default plan; a plan not offered is BillingPlanInvalid.
 */
export function resolvePlan(plan: string | null | undefined): string {
  if (plan === null || plan === undefined) return BILLING.default_plan;
  const offered = BILLING.plans.find((p) => p.name.toLowerCase() === plan.toLowerCase());
  if (!offered) {
    throw new OpenEOError('BillingPlanInvalid', `The billing plan '${plan}' is not offered; available: ${BILLING.plans.map((p) => `'${p.name}'`).join(', ')}.`);
  }
  return offered.name;
}
