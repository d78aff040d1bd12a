// Liveplug's bootstrap: starts the stock Phoenix LiveView client on every page.
// `Phoenix` and `LiveView` are the globals of the pinned phoenix and phoenix_live_view bundles.
(function () {
  "use strict";
  var meta = document.querySelector("meta[name='csrf-token']");
  var csrfToken = meta ? meta.getAttribute("content") : null;
  var liveSocket = new LiveView.LiveSocket("/live", Phoenix.Socket, {
    params: { _csrf_token: csrfToken },
  });
  liveSocket.connect();
  window.liveSocket = liveSocket;
})();
