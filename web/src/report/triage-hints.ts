/**
 * Category suggestions as the officer types the description, on the phone itself (also without
 * signal): the router's own naive Bayes classifier, trained here from the district's catalogue
 * (each category's names, keywords and description; the labelled examples stay on the server).
 * Loaded and trained on the first keystroke, so the page opens without it.
 */
import type { DistrictConfig } from '../../../shared/district/schema';
import type { CategorySuggestion } from '../../../shared/domain/case';

export type Suggest = (text: string) => CategorySuggestion[];

let model: Promise<Suggest> | undefined;

export const suggester = (district: DistrictConfig): Promise<Suggest> => {
  model ??= Promise.all([
    import('../../../shared/domain/classifier/model'),
    import('../../../shared/domain/district-index'),
  ]).then(([classifier, index]) => {
    const trained = classifier.train(index.indexDistrict(district), []);
    // A category the model gives next to nothing is no suggestion.
    return (text: string) =>
      text.trim().length < 2 ? [] : classifier.suggest(trained, text, 3).filter((s) => s.score >= 0.01);
  });
  return model;
};
