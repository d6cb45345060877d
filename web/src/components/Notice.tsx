// A card for a screen that has nothing else to show: "No such player", "No such game", an error.
import type { ComponentChildren } from 'preact';

export function Notice({ title, children, testid }: { title: string; children?: ComponentChildren; testid?: string }) {
  return (
    <section class="card-stack">
      <div class="card notice" data-testid={testid ?? 'notice'}>
        <h2>{title}</h2>
        {children}
        <p><a href="/">Back to the home page</a></p>
      </div>
    </section>
  );
}
