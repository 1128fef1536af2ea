import { processArticleFn } from "./functions/process-article";

export const functions = [processArticleFn];
