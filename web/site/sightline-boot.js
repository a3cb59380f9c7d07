// Runs before coi-serviceworker.js and the page module (a file, not an inline script: the
// site's Content-Security-Policy allows no inline script or event-handler attribute).
//   - coi-serviceworker.js reads window.coi: sightline-page.js registers the isolation service
//     worker itself, so it knows when that fails; this only passes the settings to an already
//     active worker.
//   - A right click on the canvas opens no browser menu over the app.
window.coi = { shouldRegister: () => false };

document.addEventListener('contextmenu', (event) => {
  if (event.target instanceof HTMLCanvasElement) event.preventDefault();
});
