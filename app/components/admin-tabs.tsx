/** The two admin views; a server component (plain links). */
export function AdminTabs({ current }: { current: "jobs" | "failures" }) {
  return (
    <nav className="tabs" aria-label="Admin">
      <a className="tab" href="/admin" aria-current={current === "jobs" ? "page" : undefined}>
        Jobs
      </a>
      <a className="tab" href="/admin/failures" aria-current={current === "failures" ? "page" : undefined}>
        Failure inbox
      </a>
    </nav>
  );
}
