/**
 * Learning-rate schedule of the reference (pretrain.py,
 * cosine_schedule_with_warmup_lr_lambda): linear warm-up from 0 over
 * `warmup` steps, then cosine from base_lr down to base_lr * min_ratio at
 * `total` steps (min_ratio 1 = constant after warm-up).
 * @module
 */

/** The learning rate at `step` (the reference's step counter starts at 1 for the first update). */
export function cosineLr(
  step: number,
  baseLr: number,
  warmup: number,
  total: number,
  minRatio = 0,
  numCycles = 0.5,
): number {
  if (step < warmup) return baseLr * step / Math.max(1, warmup);
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return baseLr *
    (minRatio +
      Math.max(0, (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * numCycles * 2 * progress))));
}
