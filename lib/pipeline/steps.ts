import type { StepRunner } from "../ports";

export interface MapStepsOptions {
  /** At most this many of the item steps run at once (one run's bound; Inngest's function concurrency bounds runs). */
  concurrency: number;
  /** Step ids start at this number (a fan-out run in two rounds keeps its ids `prefix:0…n-1`). */
  offset?: number;
}

/**
 * A bounded fan-out where every item is its own durable step, `${prefix}:${index}` (ids stable across replays, so
 * Inngest memoizes each one and a retry re-runs only the items that failed). Results come back in item order.
 *
 * Every started step is awaited before a failure is thrown: on the inline runner a retry must never start while an
 * upload of the previous attempt is still in flight. After the first failure no further item is started.
 */
export async function mapSteps<I, O>(
  step: StepRunner,
  prefix: string,
  items: readonly I[],
  fn: (item: I, index: number) => Promise<O>,
  options: MapStepsOptions,
): Promise<O[]> {
  const limit = Math.max(1, Math.floor(options.concurrency));
  const results = new Array<O>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;

  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await step.run(`${prefix}:${index + (options.offset ?? 0)}`, () =>
          fn(items[index] as I, index),
        );
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
