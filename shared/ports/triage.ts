import type { TriageFeedback } from '../domain/classifier/feedback';

// Labelled examples from the command centre's triage decisions.

/** The command centre's confirmations and corrections of triage suggestions (labelled examples). */
export interface TriageFeedbackStore {
  /** Records one; recording the same case step again overwrites it with the same item. */
  record(feedback: TriageFeedback): Promise<void>;
  /** Every recorded feedback, oldest first. */
  list(): Promise<TriageFeedback[]>;
}
