/** The admin views; a server component (plain links). */
export function AdminTabs({ current }: { current: "jobs" | "failures" | "following" | "webhooks" | "import" }) {
  const tab = (name: typeof current, href: string, label: string) => (
    <a className="tab" href={href} aria-current={current === name ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <nav className="tabs" aria-label="Admin">
      {tab("jobs", "/admin", "Jobs")}
      {tab("failures", "/admin/failures", "Failure inbox")}
      {tab("following", "/admin/following", "Following")}
      {tab("webhooks", "/admin/webhooks", "Webhooks")}
      {tab("import", "/admin/import", "Import")}
    </nav>
  );
}
