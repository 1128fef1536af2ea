import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { ShareSubmit } from "@/app/components/share-submit";
import { pageIsAuthorized } from "@/lib/http/api";
import { sharedUrl } from "@/lib/ui/share";

type Params = Record<string, string | string[] | undefined>;
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * The share target (manifest `share_target`): what a phone's share sheet sends, submitted as a job once signed in.
 * Only a navigation the browser started itself (the share sheet, `Sec-Fetch-Site: none`) or one from this site (back
 * from signing in) submits at once; a link from another site shows the URL with a "Summarize" button instead, so a
 * foreign page cannot spend the owner's LLM budget.
 */
export default async function SharePage({ searchParams }: { searchParams: Promise<Params> }) {
  const params = await searchParams;
  const fields = { url: one(params.url), text: one(params.text), title: one(params.title) };
  if (!(await pageIsAuthorized())) {
    const back = new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => Boolean(e[1])));
    redirect(`/login?${new URLSearchParams({ next: `/share?${back}` })}`);
  }
  const site = (await headers()).get("sec-fetch-site");
  const url = sharedUrl(fields);
  return (
    <section className="card narrow">
      <h1>Summarize a shared link</h1>
      <ShareSubmit
        url={url}
        auto={url !== null && (site === "none" || site === "same-origin")}
        shared={fields.text ?? fields.title ?? ""}
      />
    </section>
  );
}
