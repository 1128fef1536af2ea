import { LoadingSkeleton } from "@/app/loading-skeleton";

export default function Loading() {
  return <LoadingSkeleton label="Loading the article…" />;
}
