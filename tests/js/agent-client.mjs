// Connects to the agent hub as a signed-in agent with the JavaScript SignalR client, waits for a pushed `work`
// message that contains an offer, accepts that offer through the hub, and checks the returned snapshot.
//
// Usage: node agent-client.mjs BASE_URL TOKEN [TIMEOUT_SECONDS]
//   BASE_URL         the server's address, for example http://127.0.0.1:5080
//   TOKEN            an agent token from POST /api/v1/agent/sign-in
//   TIMEOUT_SECONDS  the time limit for the whole run, in seconds (default 20)
//
// Standard output gets the line `connected` once the connection is open, then `accepted OFFER_ID EMAIL_ID`.
// Exits 0 on success and 1 on any failure, with the reason on standard error.
import * as signalR from "@microsoft/signalr";

const [baseUrl, token, timeoutText = "20"] = process.argv.slice(2);
if (!baseUrl || !token) {
  console.error("Missing arguments. Usage: node agent-client.mjs BASE_URL TOKEN [TIMEOUT_SECONDS]");
  process.exit(1);
}

const timeoutSeconds = Number(timeoutText);
if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
  console.error(`TIMEOUT_SECONDS "${timeoutText}" is invalid. Pass a positive number of seconds.`);
  process.exit(1);
}

const connection = new signalR.HubConnectionBuilder()
  .withUrl(new URL("/hubs/agent", baseUrl).href, { accessTokenFactory: () => token })
  .configureLogging(signalR.LogLevel.Warning)
  .build();

// Resolves with the first offer seen in any pushed snapshot, including the `Connected` one.
const firstOffer = new Promise(resolve => {
  connection.on("work", message => {
    const offers = message?.work?.offers ?? [];
    if (offers.length > 0) {
      resolve(offers[0]);
    }
  });
});

let timer;
const timeout = new Promise((_, reject) => {
  timer = setTimeout(
    () => reject(new Error(`Timed out after ${timeoutSeconds} seconds waiting for an offer and its accept.`)),
    timeoutSeconds * 1000);
});

async function acceptFirstOffer() {
  await connection.start();
  console.log("connected");

  const offer = await firstOffer;
  const result = await connection.invoke("Accept", offer.offerId);

  const emailId = offer.email.emailId;
  if (result.reason !== "Accept") {
    throw new Error(`Accept returned reason "${result.reason}", but "Accept" was expected.`);
  }
  if (result.work.offers.some(pending => pending.offerId === offer.offerId)) {
    throw new Error(`Offer ${offer.offerId} is still pending after Accept.`);
  }
  if (!result.work.emails.some(email => email.emailId === emailId && email.state === "Active")) {
    throw new Error(`Email ${emailId} is not Active in the snapshot returned by Accept.`);
  }

  console.log(`accepted ${offer.offerId} ${emailId}`);
}

let exitCode = 0;
try {
  await Promise.race([acceptFirstOffer(), timeout]);
} catch (error) {
  console.error(`Agent hub client failed: ${error?.message ?? error}`);
  exitCode = 1;
} finally {
  clearTimeout(timer);
  await connection.stop().catch(() => {});
}

process.exit(exitCode);
