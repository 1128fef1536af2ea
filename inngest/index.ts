import { processArticleFn } from "./functions/process-article";
import { trimOldJobsFn } from "./functions/trim-old-jobs";

// Function ids (process-article, trim-old-jobs) and the app id (inngest/client.ts) are stable: Inngest keys runs,
// history and replays by them. Renaming one makes a new function in the dashboard.
export const functions = [processArticleFn, trimOldJobsFn];
