"use client";

import { type FormEvent, useState } from "react";
import { safeNext } from "@/lib/ui/share";

export function LoginForm() {
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    const response = await fetch("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ password }),
    });
    // Back to the page that sent here (the share target), never to another site.
    if (response.ok)
      window.location.assign(safeNext(new URLSearchParams(window.location.search).get("next")) ?? "/admin");
    else setError("Wrong password");
  };

  return (
    <form onSubmit={submit}>
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" required autoComplete="current-password" />
      <button type="submit">Sign in</button>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
