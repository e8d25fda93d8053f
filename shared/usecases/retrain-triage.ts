import { examplesFileFor, loadExamples, loadKeptApart, writeExamples } from '../district/examples';
import { loadDistrict } from '../district/load';
import { train } from '../domain/classifier/model';
import { type MergedExamples, mergeFeedback } from '../domain/classifier/retrain';
import { indexDistrict } from '../domain/district-index';
import type { TriageFeedbackStore } from '../ports';

export interface RetrainReport extends Omit<MergedExamples, 'examples'> {
  examplesFile: string;
  /** Examples before and after the merge. */
  before: number;
  after: number;
  /** Feedback entries of this district read from the table. */
  feedback: number;
  /** The rebuilt model (what the router trains at its next cold start from the written file). */
  model: { examples: number; features: number };
}

/**
 * `npm run triage:retrain`: merges the feedback stored in the table into the district's examples
 * file (deduplicated; held-out and calibration texts never enter) and rebuilds the model from it,
 * as the router does at cold start. The file is what ships: an operator reviews, commits and
 * redeploys it.
 */
export const retrainTriage = async (request: {
  districtFile: string;
  feedback: Pick<TriageFeedbackStore, 'list'>;
}): Promise<RetrainReport> => {
  const district = indexDistrict(loadDistrict(request.districtFile));
  const examplesFile = examplesFileFor(request.districtFile);
  const examples = loadExamples(examplesFile, district.config);
  // Every held-out set's texts stay out of training, so each keeps measuring unseen reports, and so
  // do the calibration set's (its own or the one it borrows), so the threshold keeps being chosen on
  // reports the model has not seen.
  const heldOut = loadKeptApart(request.districtFile, district.config);
  const feedback = (await request.feedback.list()).filter((f) => f.district === district.config.id);
  const { examples: merged, ...counts } = mergeFeedback(examples, feedback, {
    categories: new Set(district.config.categories.map((c) => c.code)),
    heldOut,
  });
  writeExamples(examplesFile, district.config, merged);
  const model = train(district, merged);
  return {
    examplesFile,
    before: examples.length,
    after: merged.length,
    feedback: feedback.length,
    ...counts,
    model: model.trainedOn,
  };
};
