// Plivo's 10DLC examples for Node, as the docs and plivo-node's own tests write them, run
// against a tendlc sandbox. Driven by test_sandbox_node_sdk.py, which passes the sandbox's
// loopback base URL and credentials in the environment and reads one JSON object on stdout.
"use strict";

const plivo = require("plivo");

const { SANDBOX_URL, AUTH_ID, AUTH_TOKEN, CALLBACK } = process.env;
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(SANDBOX_URL || "")) {
  throw new Error(`SANDBOX_URL must be a loopback http URL, got ${SANDBOX_URL}`);
}
const client = new plivo.Client(AUTH_ID, AUTH_TOKEN, {
  url: `${SANDBOX_URL}/v1/Account/${AUTH_ID}`,
});
const callback = { url: CALLBACK, method: "POST" };
const out = {};

async function refused(promise) {
  try {
    await promise;
    return null;
  } catch (err) {
    const body = err && err.response && err.response.data;
    return { kind: err.constructor.name, error: body ? body.error : String(err.message || err) };
  }
}

async function main() {
  // profile: plivo-node test/profile.js (no contact phone, seniority C_LEVEL, hyphenated EIN)
  const address = { street: "123 Main Street", city: "San Francisco", state: "CA",
    postal_code: "94105", country: "US" };
  const contact = { first_name: "John", last_name: "Doe", email: "test@example.com",
    title: "CEO", seniority: "C_LEVEL" };
  const profile = await client.profile.create("Test Profile", "", "DIRECT", "PUBLIC",
    "Test Company Inc", "12-3456789", "TECHNOLOGY", "US", "TEST", "NASDAQ", "NONE",
    "https://testcompany.com", address, contact, "employee@company.com", "Test DBA");
  out.profile_uuid = profile.profileUuid;
  out.profile_dba = (await client.profile.get(profile.profileUuid)).profile.doingBusinessAs;
  const profiles = (await client.profile.list({})).profiles;
  out.profile_aliases = profiles.map((p) => p.profileAlias);
  const byAlias = Object.fromEntries(profiles.map((p) => [p.profileAlias, p.profileUuid]));
  out.profile_updated = (await client.profile.update(profile.profileUuid,
    { company_name: "google" })).profile.companyName;

  // brand: the docs' examples, and plivo-node's test (lower-case "starter")
  const govt = await client.brand.create("govt", byAlias["northwind-freight"], "STANDARD", true,
    callback);
  const sole = await client.brand.create("vishnu128", profile.profileUuid, "starter", false,
    { mobile_phone: "+18025550177" });
  out.brand_message = govt.message;
  const brand = await until(async () => (await client.brand.get(govt.brand_id)).brand,
    (b) => b.registrationStatus !== "PROCESSING");
  await until(async () => (await client.brand.get(sole.brand_id)).brand,
    (b) => b.registrationStatus !== "PROCESSING");
  out.brand = { id: govt.brand_id, status: brand.registrationStatus, vetting: brand.vettingStatus };
  out.brand_count = (await client.brand.list()).brands.length;
  out.standard_brands = (await client.brand.list({ type: "STANDARD" })).brands.length;
  out.usecases = (await client.brand.get_usecases(govt.brand_id)).useCases.map((u) => u.code);
  out.starter_usecases = (await client.brand.get_usecases(sole.brand_id)).useCases
    .map((u) => u.name);
  out.otp = (await client.brand.trigger_otp(sole.brand_id)).message;

  // campaign: positional, in the order plivo-node's create takes
  const created = await client.campaign.create(govt.brand_id, "node campaign", "INSURANCE",
    "MIXED", ["CUSTOMER_CARE", "2FA"],
    "Policy renewal reminders and claim updates for opted-in customers.",
    false, false, false, false, true, true, true, false,
    "Your policy renews on May 3. Reply STOP to opt out.",
    "Claim 1234 was approved; details in the app. Reply STOP to opt out.",
    "sample3 sent as sample_3", "", "",
    "Customers opt in on the policy portal by ticking the SMS updates box.",
    "Reply STOP to opt out. Call 555-0100 for help. Msg rates may apply.",
    "You are unsubscribed from policy texts and will get no more messages.", "", "",
    callback);
  out.campaign_message = created.message;
  const campaignId = created.campaignId;
  // plivo-node test/campaign.js create call: its arguments are one position off (it predates
  // affiliate_marketing), so it sends no message_flow; Plivo requires one
  out.misaligned_create = await refused(client.campaign.create(govt.brand_id,
    "campaign name sssample", "INSURANCE", "MIXED", ["CUSTOMER_CARE", "2FA"],
    "sample description text should 40 character", false, false, false, false, true, true,
    true, "sample1 should be 20 minimum character", "sample2 should be 20 minimum character",
    "message_flow should be 40 minimum character", "help_message should be 20 minimum character",
    "optout_message should be 20 minimum character"));
  const campaign = await until(async () => (await client.campaign.get(campaignId)).campaign,
    (c) => c.registrationStatus !== "PROCESSING");
  out.campaign = { status: campaign.registrationStatus, sample3: campaign.sample3 || null };
  out.campaigns_plivo = (await client.campaign.list({ campaign_source: "plivo" })).campaigns
    .length;
  out.imported = (await client.campaign.import_campaign("C1234567", "imported by node"))
    .campaignId;

  // numbers: link / list / get / unlink, and the account's rented numbers
  const link = await client.campaign.linkNumber(campaignId, ["14845007032", "14845551234"],
    callback);
  out.link_message = link.message;
  out.not_owned = await refused(client.campaign.linkNumber(campaignId, ["14155550123"]));
  out.linked = (await until(async () => (await client.campaign.listNumber(campaignId)),
    (l) => l.phoneNumbers.every((n) => n.status !== "PROCESSING"))).phoneNumbers
    .map((n) => [n.number, n.status]);
  out.one = (await client.campaign.getNumber(campaignId, "14845007032")).phoneNumbers[0].status;
  out.unlink_message = (await client.campaign.unlinkNumber(campaignId, "14845007032", callback))
    .message;
  const rented = await client.numbers.list({ type: "local", numberStartswith: "1484" });
  out.rented = rented.map((n) => [n.number, n.tendlcRegistrationStatus]);
  out.rented_one = (await client.numbers.get("14845551234")).tendlcCampaignId;

  // update: plivo-node test/campaign.js, on a campaign the sandbox rejected
  const rejectMe = await client.campaign.create(govt.brand_id, "to reject", "RETAIL", "MARKETING",
    [], "Please reject: this campaign exists to be refused by the sandbox.",
    false, false, false, false, true, true, true, false,
    "Weekly offers for members. Reply STOP to opt out.",
    "Your reward is ready to redeem. Reply STOP to opt out.", "", "", "",
    "Members opt in at checkout by ticking the SMS offers box on the form.",
    "Reply STOP to opt out, call 555-0100 for help.",
    "You are unsubscribed and will get no more messages.", "", "");
  await until(async () => (await client.campaign.get(rejectMe.campaignId)).campaign,
    (c) => c.registrationStatus === "FAILED");
  const updated = await client.campaign.update(rejectMe.campaignId, "", "", "",
    "sample1 should be 20 minimum character", "", "", "", "", "", "", "");
  out.updated = { status: updated.campaign.registrationStatus, sample2: updated.campaign.sample2 };
  out.deleted_campaign = (await client.campaign.deleteCampaign(rejectMe.campaignId)).message;
  out.deleted_brand = (await refused(client.brand.deleteBrand(govt.brand_id)));
  process.stdout.write(JSON.stringify(out) + "\n");
}

// Poll `read` until `done(value)`, with a deadline (the sandbox settles right after it answers).
async function until(read, done, deadlineMs = 10000) {
  const stop = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > stop) throw new Error(`not settled: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

main().catch((err) => {
  const body = err && err.response && err.response.data;
  process.stderr.write(`${err && err.stack ? err.stack : err}\n${body ? JSON.stringify(body) : ""}\n`);
  process.exit(1);
});
