import { SUMMARY_LANGUAGES } from "@/lib/ui/submit";

/** The labelled summary-language choice both submit forms send as `lang` ("" = the article's own language). */
export function LanguageSelect({ label, className }: { label: string; className?: string }) {
  return (
    <label className={className}>
      <span>{label}</span>
      <select name="lang" defaultValue="">
        {SUMMARY_LANGUAGES.map((l) => (
          <option key={l.code} value={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}
