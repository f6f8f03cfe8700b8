import type { z } from 'zod';
import type { ValidationIssue } from './errors';

/** zod issues as `{path, message}` with dotted paths. */
export function zodIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
