// What a direct link to a page the caller may not use shows (the API would refuse it anyway).
export function NotAllowed({ action }: { action: string }) {
  return (
    <section class="panel not-allowed" aria-labelledby="not-allowed-title" data-testid="not-allowed">
      <h1 id="not-allowed-title">Not allowed</h1>
      <p>Your policies do not allow <code>{action}</code>, so this page is not available to you. Ask an administrator if you need it.</p>
    </section>
  );
}
