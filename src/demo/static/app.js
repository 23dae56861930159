// Demo Market's only script. It submits the signup form as JSON to /api/signup and says what
// happened in the page's status line; the login form is a plain form and needs no script.
// Loaded as a module: deferred, strict, and nothing leaks into the global scope.

const form = document.getElementById('signup-form');
const result = document.getElementById('signup-result');

if (form instanceof HTMLFormElement && result) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    const fields = Object.fromEntries(new FormData(form));
    show('Creating your account…', '');
    if (button) button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(fields),
        credentials: 'same-origin',
      });
      const body = await response.json().catch(() => null);
      if (response.status === 201 && body) {
        form.reset();
        show(`Account ${body.username} created. You can now sign in.`, 'ok');
        const link = document.createElement('a');
        link.href = '/login';
        link.textContent = 'Sign in';
        result.append(' ', link);
      } else {
        show(body && typeof body.error === 'string' ? body.error : `Signup failed (HTTP ${response.status}).`, 'error');
      }
    } catch {
      show('The server could not be reached. Try again.', 'error');
    } finally {
      if (button) button.disabled = false;
    }
  });
}

function show(text, kind) {
  result.textContent = text;
  result.className = kind;
}
