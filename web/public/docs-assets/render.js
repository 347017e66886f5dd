// The /docs page: renders the server's AsyncAPI document (/asyncapi.json) with the AsyncAPI
// React component's standalone bundle (docs-assets/asyncapi.js, copied there by the build).
(function () {
  var root = document.getElementById('asyncapi');
  if (!window.AsyncApiStandalone) {
    root.textContent = 'The renderer is missing: build the dashboard (npm run build). The document itself is at /asyncapi.json.';
    return;
  }
  window.AsyncApiStandalone.render(
    {
      schema: { url: '/asyncapi.json', requestOptions: { credentials: 'same-origin' } },
      config: { show: { sidebar: true, errors: true }, sidebar: { showOperations: 'byDefault' } },
    },
    root,
  );
})();
