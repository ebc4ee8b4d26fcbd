"""Finnish first, Swedish and English: every string the dashboard shows, and the number and
date formats of each language (fi and sv: 1 234,56 € and 31.3.2025; en: 1,234.56 €)."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

LANGUAGES = ("fi", "sv", "en")
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
DEFAULT = "fi"
MINUS = "−"

STATUS_ICONS = {
    "achieved": "✔",
    "partial": "◐",
    "not-achieved": "✖",
    "below-minimum": "▼",
    "not-assessable": "–",
}

_T: dict[str, tuple[str, str, str]] = {
    # pages
    "page.contracts": ("Sopimukset", "Avtal", "Contracts"),
    "page.contract": ("Sopimus", "Avtal i detalj", "Contract"),
    "page.payments": ("Maksut", "Betalningar", "Payments"),
    "page.leadership": ("Johto", "Ledning", "Leadership"),
    "page.deliveries": ("Toimitukset", "Leveranser", "Deliveries"),
    "page.audit": ("Tapahtumaloki", "Händelselogg", "Audit log"),
    "language": ("Kieli", "Språk", "Language"),
    "database": ("Tietokanta", "Databas", "Database"),
    "no_data": ("Ei tietoja.", "Inga uppgifter.", "No data."),
    # statuses
    "status.achieved": ("saavutettu", "uppnådd", "achieved"),
    "status.partial": ("osittain", "delvis", "partial"),
    "status.not-achieved": ("ei saavutettu", "inte uppnådd", "not achieved"),
    "status.below-minimum": ("alle minimin", "under minimum", "below minimum"),
    "status.not-assessable": ("ei arvioitavissa", "kan inte bedömas", "not assessable"),
    # columns
    "col.contract": ("Sopimus", "Avtal", "Contract"),
    "col.title": ("Nimi", "Namn", "Title"),
    "col.supplier": ("Palveluntuottaja", "Tjänsteproducent", "Supplier"),
    "col.service": ("Palvelu", "Tjänst", "Service"),
    "col.framework": ("Puitejärjestely", "Ramavtal", "Framework"),
    "col.theme": ("Teema", "Tema", "Theme"),
    "col.indicator": ("Mittari", "Indikator", "Indicator"),
    "col.period": ("Kausi", "Period", "Period"),
    "col.status": ("Tila", "Status", "Status"),
    "col.value": ("Arvo", "Värde", "Value"),
    "col.n": ("n", "n", "n"),
    "col.min_n": ("min n", "min n", "min n"),
    "col.missing": ("Puuttuvat kuukaudet", "Saknade månader", "Missing months"),
    "col.missing_count": (
        "Puuttuvia (mittari×kk)",
        "Saknas (indikator×mån)",
        "Missing (indicator×month)",
    ),
    "col.late_count": (
        "Myöhässä (mittari×kk)",
        "Försenade (indikator×mån)",
        "Late (indicator×month)",
    ),
    "col.expected": (
        "Odotettu (mittari×kk)",
        "Väntat (indikator×mån)",
        "Expected (indicator×month)",
    ),
    "col.latest_period": ("Viimeisin kausi", "Senaste period", "Latest period"),
    "col.version": ("Versio", "Version", "Version"),
    "col.kind": ("Laji", "Typ", "Kind"),
    "col.bonus": ("Bonus", "Bonus", "Bonus"),
    "col.sanction": ("Sanktio", "Sanktion", "Sanction"),
    "col.net": ("Netto", "Netto", "Net"),
    "col.difference": ("Erotus", "Skillnad", "Difference"),
    "col.bonus_difference": ("Bonuksen muutos", "Bonusändring", "Bonus difference"),
    "col.sanction_difference": ("Sanktion muutos", "Sanktionsändring", "Sanction difference"),
    "col.amount_difference": ("Oikaisun muutos", "Justeringsändring", "Adjustment difference"),
    "col.approved": ("Hyväksytty", "Godkänd", "Approved"),
    "col.level_from": ("Tasot alkaen", "Nivåer från", "Levels from"),
    "col.minimum": ("Minimi", "Minimum", "Minimum"),
    "col.threshold": ("Kynnys", "Tröskel", "Threshold"),
    "col.target": ("Tavoite", "Mål", "Target"),
    "col.scale": ("Asteikko", "Skala", "Scale"),
    "col.fraction": ("Osuus", "Andel", "Fraction"),
    "col.money": ("Täysi summa", "Fullt belopp", "Full amount"),
    "col.bonus_exact": ("Bonus tarkka", "Bonus exakt", "Bonus exact"),
    "col.bonus_before_gate": ("Bonus ennen porttia", "Bonus före grind", "Bonus before gate"),
    "col.sanction_exact": ("Sanktio tarkka", "Sanktion exakt", "Sanction exact"),
    "col.rule": ("Sääntö", "Regel", "Rule"),
    "col.explanation": ("Selitys", "Förklaring", "Explanation"),
    "col.adjustment": ("Oikaisu", "Justering", "Adjustment"),
    "col.side": ("Puoli", "Sida", "Side"),
    "col.amount": ("Määrä", "Belopp", "Amount"),
    "col.counted": ("Lasketaan", "Räknas", "Counted"),
    "col.year": ("Vuosi", "År", "Year"),
    "col.quarter": ("Neljännes", "Kvartal", "Quarter"),
    "col.periods": ("Kausia", "Perioder", "Periods"),
    "col.delivery": ("Toimitus", "Leverans", "Delivery"),
    "col.file": ("Tiedosto", "Fil", "File"),
    "col.loaded": ("Ladattu", "Laddad", "Loaded"),
    "col.loaded_by": ("Lataaja", "Laddad av", "Loaded by"),
    "col.rows": ("Rivejä", "Rader", "Rows"),
    "col.shape": ("Muoto", "Form", "Shape"),
    "col.months": ("Kuukaudet", "Månader", "Months"),
    "col.state": ("Voimassa", "Giltighet", "State"),
    "col.corrects": ("Korjaa", "Korrigerar", "Corrects"),
    "col.superseded_by": ("Korvattu toimituksilla", "Ersatt av", "Superseded by"),
    "col.used_for": ("Käytetty kausiin", "Använd för perioder", "Used for periods"),
    "col.row": ("Rivi", "Rad", "Row"),
    "col.column": ("Sarake", "Kolumn", "Column"),
    "col.text": ("Alkuperäinen teksti", "Ursprunglig text", "Original text"),
    "col.reason": ("Syy", "Orsak", "Reason"),
    "col.position": ("Sija", "Plats", "Position"),
    "col.score": ("Pisteet", "Poäng", "Score"),
    "col.assessed": ("Arvioituja kausia", "Bedömda perioder", "Assessed"),
    "col.previous": ("Edellinen vuosi", "Föregående år", "Last year"),
    "col.movement": ("Muutos", "Förändring", "Movement"),
    "col.share": ("Saavutettu-osuus", "Andel uppnådda", "Share achieved"),
    "col.count": ("Mittarikausia", "Indikatorperioder", "Indicator-periods"),
    "col.group": ("Ryhmä", "Grupp", "Group"),
    "col.awaiting": ("Odottaa oikaisua", "Väntar på korrigering", "Awaiting correction"),
    # kinds and states
    "kind.original": ("alkuperäinen", "ursprunglig", "original"),
    "kind.correction": ("oikaisu", "korrigering", "correction"),
    "auth.sign_in": ("Kirjaudu sisään", "Logga in", "Sign in"),
    "auth.sign_in_text": (
        "Kirjaudu sisään organisaatiosi tunnuksilla nähdäksesi sopimukset ja maksut.",
        "Logga in med din organisations konto för att se avtal och betalningar.",
        "Sign in with your organisation's account to see contracts and payments.",
    ),
    "auth.sign_out": ("Kirjaudu ulos", "Logga ut", "Sign out"),
    "auth.signed_in_as": (
        "Kirjautunut: {who} · roolit: {roles}",
        "Inloggad: {who} · roller: {roles}",
        "Signed in: {who} · roles: {roles}",
    ),
    "auth.no_role": (
        "Olet kirjautunut nimellä {who}, mutta sinulla ei ole roolia tässä palvelussa. Pyydä "
        "pääkäyttäjää lisäämään ryhmäsi roolitiedostoon.",
        "Du är inloggad som {who}, men du har ingen roll i tjänsten. Be administratören lägga "
        "till din grupp i rollfilen.",
        "You are signed in as {who}, but you have no role in this service. Ask the "
        "administrator to add your group to the role-mapping file.",
    ),
    "auth.forbidden": (
        "Sinulla ei ole oikeutta tähän sivuun.",
        "Du har inte behörighet till den här sidan.",
        "You do not have access to this page.",
    ),
    "auth.contract_forbidden": (
        "Sinulla ei ole oikeutta sopimukseen {contract}.",
        "Du har inte behörighet till avtalet {contract}.",
        "You do not have access to contract {contract}.",
    ),
    "auth.no_pages": (
        "Roolillasi ei ole sivuja tässä palvelussa.",
        "Din roll har inga sidor i tjänsten.",
        "Your role has no pages in this service.",
    ),
    "contract.other": ("Muu sopimus {n}", "Annat avtal {n}", "Other contract {n}"),
    "auth.not_configured": (
        "Kirjautumista ei ole määritetty ([auth] puuttuu Streamlitin secrets.toml-tiedostosta).",
        "Inloggningen är inte konfigurerad ([auth] saknas i Streamlits secrets.toml).",
        "Sign-in is not configured ([auth] is missing from Streamlit's secrets.toml).",
    ),
    "auth.role_map_broken": (
        "Roolitiedostoa ei voi käyttää; pääkäyttäjä näkee syyn alta.",
        "Rollfilen kan inte användas; administratören ser orsaken nedan.",
        "The role-mapping file cannot be used; the administrator sees why below.",
    ),
    "auth.no_auth_banner": (
        "Ei kirjautumista: paikallinen käyttö (127.0.0.1). Kaikki toimet kirjataan "
        "palvelimen käynnistäjän nimiin.",
        "Ingen inloggning: lokal användning (127.0.0.1). Alla åtgärder registreras på den "
        "som startade servern.",
        "No sign-in: local use only (127.0.0.1). Every action is recorded as the user who "
        "started the server.",
    ),
    "role.sopimusvastaava": ("sopimusvastaava", "avtalsansvarig", "contract manager"),
    "role.talous": ("talous", "ekonomi", "finance"),
    "role.johto": ("johto", "ledning", "leadership"),
    "role.toimittaja": ("toimittaja", "leverantör", "supplier"),
    "role.paakayttaja": ("pääkäyttäjä", "administratör", "administrator"),
    "state.draft": ("luonnos", "utkast", "draft"),
    "state.prepared": ("valmisteltu", "förberedd", "prepared"),
    "state.approved": ("hyväksytty", "godkänd", "approved"),
    "state.replaced": ("korvattu", "ersatt", "replaced"),
    "delivery.current": ("voimassa", "gällande", "current"),
    "delivery.superseded": ("korvattu", "ersatt", "superseded"),
    "delivery.partly": ("osittain korvattu", "delvis ersatt", "partly superseded"),
    "movement.new": ("uusi", "ny", "new"),
    # contracts page
    "contracts.title": ("Sopimukset", "Avtal", "Contracts"),
    "contracts.intro": (
        "Mittarien tila viimeisimmällä selvitetyllä kaudella ja tietojen kattavuus.",
        "Indikatorernas status under den senast avräknade perioden och datas fullständighet.",
        "Indicator status in the latest settled period, and data completeness.",
    ),
    "contracts.status_header": ("Mittarien tila", "Indikatorernas status", "Indicator status"),
    "contracts.completeness_header": (
        "Tietojen kattavuus",
        "Datas fullständighet",
        "Data completeness",
    ),
    "contracts.completeness_note": (
        "Odotetut kuukaudet: sopimuskauden kuukaudet viimeisimpään toimitettuun kuukauteen "
        "({through}) asti. Myöhässä: ensimmäinen toimitus yli {days} päivää kuukauden "
        "päättymisen jälkeen.",
        "Väntade månader: avtalets månader fram till den senast levererade månaden "
        "({through}). Försenad: första leveransen över {days} dagar efter månadens slut.",
        "Expected months: contract months up to the latest delivered month ({through}). "
        "Late: first delivered more than {days} days after the month ended.",
    ),
    "filter.service": ("Palvelu", "Tjänst", "Service"),
    "filter.supplier": ("Palveluntuottaja", "Tjänsteproducent", "Supplier"),
    "filter.framework": ("Puitejärjestely", "Ramavtal", "Framework"),
    "filter.theme": ("Teema", "Tema", "Theme"),
    "filter.all": ("Kaikki", "Alla", "All"),
    "open_contract": ("Avaa sopimus", "Öppna avtal", "Open contract"),
    # contract page
    "contract.title": ("Sopimus", "Avtal i detalj", "Contract"),
    "contract.select": ("Valitse sopimus", "Välj avtal", "Choose a contract"),
    "contract.trends": ("Mittarien kehitys", "Indikatorernas utveckling", "Indicator trends"),
    "contract.history": ("Tilahistoria", "Statushistorik", "Status history"),
    "contract.comparison": (
        "Vertailu saman palvelun sopimuksiin (n jokaisen arvon vieressä)",
        "Jämförelse med andra avtal för samma tjänst (n vid varje värde)",
        "Comparison with the other contracts of the same service (n beside every value)",
    ),
    "contract.comparison_year": ("Vuosi", "År", "Year"),
    "contract.deliveries": (
        "Selvityksissä käytetyt toimitukset",
        "Leveranser som använts",
        "Deliveries used by the settlements",
    ),
    "contract.term": ("Sopimuskausi", "Avtalsperiod", "Term"),
    "contract.period_value": ("Kauden arvo", "Periodens värde", "Period value"),
    "chart.all_contracts": (
        "Kaikki {count} sopimusta",
        "Alla {count} avtal",
        "All {count} contracts",
    ),
    "chart.month": ("Kuukausi", "Månad", "Month"),
    "chart.monthly": ("Kuukausiarvo", "Månadsvärde", "Monthly value"),
    "chart.period": ("Kauden arvo", "Periodvärde", "Period value"),
    "chart.minimum": ("Minimitaso", "Miniminivå", "Minimum level"),
    "chart.target": ("Tavoitetaso", "Målnivå", "Target level"),
    "chart.comparison": (
        "{name}: saman palvelun sopimukset {year}",
        "{name}: avtal för samma tjänst {year}",
        "{name}: contracts of the same service {year}",
    ),
    # payments page
    "payments.title": ("Maksut", "Betalningar", "Payments"),
    "payments.period": ("Kausi", "Period", "Period"),
    "payments.settlements": (
        "Selvitykset kausittain",
        "Avräkningar per period",
        "Settlements per period",
    ),
    "payments.versions": (
        "Versiot ja oikaisut",
        "Versioner och korrigeringar",
        "Versions and corrections",
    ),
    "payments.correction": (
        "Oikaisu v{version} hyväksyttyyn versioon v{corrects}: nettomuutos {difference}",
        "Korrigering v{version} av godkänd version v{corrects}: nettoförändring {difference}",
        "Correction v{version} of approved version v{corrects}: net difference {difference}",
    ),
    "payments.breakdown": ("Mistä euro tulee", "Varifrån euron kommer", "Why this euro"),
    "payments.adjustments": ("Portit ja katot", "Grindar och tak", "Gates and caps"),
    "payments.waterfall": (
        "Bonuksista nettomaksuun",
        "Från bonus till nettobetalning",
        "From bonuses to the net payment",
    ),
    "payments.approve": ("Hyväksy ja lukitse", "Godkänn och lås", "Approve and lock"),
    "payments.locked": (
        "🔒 hyväksytty {who} {when}",
        "🔒 godkänd {who} {when}",
        "🔒 approved {who} {when}",
    ),
    "payments.prepare": ("Valmistele (tarkistettu)", "Förbered (granskad)", "Prepare (checked)"),
    "payments.prepared_now": (
        "Valmisteltu. Toinen talouden käyttäjä hyväksyy sen.",
        "Förberedd. En annan ekonomianvändare godkänner den.",
        "Prepared. Another finance user approves it.",
    ),
    "payments.prepared_by": (
        "Valmistellut: {who}. Hyväksyjän on oltava toinen henkilö.",
        "Förberedd av: {who}. Godkännaren måste vara en annan person.",
        "Prepared by: {who}. The approver must be another person.",
    ),
    "payments.comment": ("Kommentti (valinnainen)", "Kommentar (valfri)", "Comment (optional)"),
    "payments.reject": ("Palauta luonnokseksi", "Skicka tillbaka som utkast", "Send back to draft"),
    "payments.reject_reason": (
        "Palautuksen syy",
        "Orsak till återsändningen",
        "Reason for sending back",
    ),
    "payments.rejected_now": (
        "Palautettu luonnokseksi.",
        "Återsänd som utkast.",
        "Sent back to draft.",
    ),
    "payments.rejected": (
        "Palautettu luonnokseksi: {reason}",
        "Återsänd som utkast: {reason}",
        "Sent back to draft: {reason}",
    ),
    "payments.approved_now": (
        "Hyväksytty ja lukittu.",
        "Godkänd och låst.",
        "Approved and locked.",
    ),
    "payments.stale": (
        "Hyväksytyn selvityksen lähtötiedot ovat muuttuneet: {why}.",
        "Indata för den godkända avräkningen har ändrats: {why}.",
        "The inputs of the approved settlement have changed: {why}.",
    ),
    "payments.download_xlsx": ("Lataa .xlsx", "Ladda ner .xlsx", "Download .xlsx"),
    "payments.download_csv": (
        "Lataa CSV (suomalainen Excel)",
        "Ladda ner CSV (finsk Excel)",
        "Download CSV (Finnish Excel)",
    ),
    "payments.yearly": ("Vuosisummat", "Årssummor", "Yearly totals"),
    "payments.totals": (
        "Bonus {bonus} · sanktio {sanction} · netto {net}",
        "Bonus {bonus} · sanktion {sanction} · netto {net}",
        "Bonus {bonus} · sanction {sanction} · net {net}",
    ),
    "payments.deliveries": ("Lähdetoimitukset", "Källeveranser", "Source deliveries"),
    "wf.bonus": ("Bonus {indicator}", "Bonus {indicator}", "Bonus {indicator}"),
    "wf.sanction": ("Sanktio {indicator}", "Sanktion {indicator}", "Sanction {indicator}"),
    "adj.gate": ("portti", "grind", "gate"),
    "adj.bonus-cap": ("bonuskatto", "bonustak", "bonus cap"),
    "adj.sanction-cap": ("sanktiokatto", "sanktionstak", "sanction cap"),
    "adj.annual-bonus-cap": ("vuotuinen bonuskatto", "årligt bonustak", "annual bonus cap"),
    "adj.annual-sanction-cap": (
        "vuotuinen sanktiokatto",
        "årligt sanktionstak",
        "annual sanction cap",
    ),
    "wf.bonus_total": ("Bonukset yhteensä", "Bonus totalt", "Bonuses total"),
    "wf.net": ("Nettomaksu", "Nettobetalning", "Net payment"),
    "wf.step": ("Vaihe", "Steg", "Step"),
    "wf.eur": ("Euroa", "Euro", "Euros"),
    # leadership page
    "leadership.title": ("Johto", "Ledning", "Leadership"),
    "leadership.by_theme": (
        "Saavutettujen mittarikausien osuus teemoittain",
        "Andel uppnådda indikatorperioder per tema",
        "Share of indicator-periods achieved by theme",
    ),
    "leadership.by_service": (
        "Saavutettujen mittarikausien osuus palveluittain",
        "Andel uppnådda indikatorperioder per tjänst",
        "Share of indicator-periods achieved by service",
    ),
    "leadership.money": (
        "Bonukset ja sanktiot neljänneksittäin",
        "Bonus och sanktioner per kvartal",
        "Bonuses and sanctions per quarter",
    ),
    "leadership.money_note": (
        "Kunkin kauden uusin versio; kausi kohdistuu neljännekselle, jolla se päättyy.",
        "Den senaste versionen av varje period; perioden hör till kvartalet då den slutar.",
        "Newest version of each period; a period counts in the quarter in which it ends.",
    ),
    "leadership.priority": ("Etusijajärjestys", "Prioritetsordning", "Priority order"),
    "leadership.computed": ("laskettu {when}", "beräknad {when}", "computed {when}"),
    "leadership.suppressed": (
        "Solut, joiden arvojen takana on alle 5 asiakasta, näytetään muodossa <5; n on "
        "arvioitujen mittarikausien määrä.",
        "Celler där färre än 5 klienter ligger bakom värdena visas som <5; n är antalet "
        "bedömda indikatorperioder.",
        "Cells with fewer than 5 clients behind their values are shown as <5; n is the number "
        "of indicator-periods assessed.",
    ),
    "leadership.share_axis": (
        "Saavutettu-osuus (%)",
        "Andel uppnådda (%)",
        "Share achieved (%)",
    ),
    "leadership.no_priority": (
        "Etusijajärjestystä ei ole laskettu.",
        "Ingen prioritetsordning har beräknats.",
        "No priority order has been computed.",
    ),
    # deliveries page
    "deliveries.checking": ("Tarkistetaan {file} …", "Kontrollerar {file} …", "Checking {file} …"),
    "deliveries.checking_rows": (
        "Tarkistetaan {file}: {rows} riviä luettu …",
        "Kontrollerar {file}: {rows} rader lästa …",
        "Checking {file}: {rows} rows read …",
    ),
    "deliveries.settling": (
        "Päivitetään selvitykset, sopimuksia {count} …",
        "Uppdaterar avräkningar, avtal {count} …",
        "Updating settlements, contracts {count} …",
    ),
    "deliveries.title": ("Toimitukset", "Leveranser", "Deliveries"),
    "deliveries.upload": (
        "Lataa palveluntuottajan tiedostot",
        "Ladda upp leverantörens filer",
        "Upload supplier files",
    ),
    "deliveries.load": ("Tarkista ja tallenna", "Kontrollera och spara", "Check and store"),
    "deliveries.loaded": (
        "✔ {file}: toimitus {delivery}, {rows} riviä tallennettu.",
        "✔ {file}: leverans {delivery}, {rows} rader sparade.",
        "✔ {file}: delivery {delivery}, {rows} rows stored.",
    ),
    "deliveries.already": (
        "{file}: sama tiedosto on jo ladattu.",
        "{file}: samma fil har redan laddats.",
        "{file}: this file has already been loaded.",
    ),
    "deliveries.rejected": (
        "✖ {file} hylättiin: {count} ongelmaa; tiedostosta ei tallennettu mitään.",
        "✖ {file} avvisades: {count} problem; inget från filen sparades.",
        "✖ {file} was rejected: {count} problem(s); nothing from it was stored.",
    ),
    "deliveries.settled": (
        "Selvitykset päivitetty: {changed} muuttui.",
        "Avräkningarna uppdaterade: {changed} ändrades.",
        "Settlements refreshed: {changed} changed.",
    ),
    "deliveries.history": (
        "Toimitushistoria ja korjaukset",
        "Leveranshistorik och korrigeringar",
        "Delivery history and corrections",
    ),
    "deliveries.newest": (
        "Uusin toimitus: {delivery} · {file} · {when} · {by}",
        "Senaste leverans: {delivery} · {file} · {when} · {by}",
        "Newest delivery: {delivery} · {file} · {when} · {by}",
    ),
    "deliveries.stale": (
        "Hyväksytty selvitys {contract} {period} v{version}: lähtötiedot muuttuneet ({why}).",
        "Godkänd avräkning {contract} {period} v{version}: indata har ändrats ({why}).",
        "Approved settlement {contract} {period} v{version}: inputs changed ({why}).",
    ),
    # audit log (Tapahtumaloki) and a settlement's events
    "audit.since": ("Alkaen", "Från och med", "From"),
    "audit.until": ("Asti", "Till och med", "Until"),
    "audit.user": (
        "Käyttäjä (nimi, sähköposti tai tunniste)",
        "Användare (namn, e-post eller id)",
        "User (name, e-mail or id)",
    ),
    "audit.all": ("kaikki", "alla", "all"),
    "audit.col.event": ("Tapahtuma", "Händelse", "Event"),
    "audit.col.time": ("Aika (UTC)", "Tid (UTC)", "Time (UTC)"),
    "audit.col.user": ("Käyttäjä", "Användare", "User"),
    "audit.col.roles": ("Roolit", "Roller", "Roles"),
    "audit.col.channel": ("Kanava", "Kanal", "Channel"),
    "audit.col.action": ("Toiminto", "Åtgärd", "Action"),
    "audit.col.outcome": ("Tulos", "Utfall", "Outcome"),
    "audit.col.digest": ("Tiedoston tiiviste", "Filens hashvärde", "File digest"),
    "audit.col.detail": ("Lisätiedot", "Detaljer", "Detail"),
    "audit.pending": ("⏳ odottaa", "⏳ väntar", "⏳ pending"),
    "audit.pending_note": (
        "{count} tapahtumaa odottaa lokin jonossa: ne siirtyvät tauluun ja tarkistusketjuun "
        "seuraavan tallennuksen yhteydessä.",
        "{count} händelser väntar i loggens kö: de flyttas in i tabellen och kontrollkedjan "
        "vid nästa sparning.",
        "{count} event(s) wait in the log's journal: the next write moves them into the table "
        "and the hash chain.",
    ),
    "audit.chain_ok": (
        "✔ Tarkistusketju eheä: {count} tapahtumaa, yhtään riviä ei ole muutettu eikä poistettu.",
        "✔ Kontrollkedjan är hel: {count} händelser, ingen rad har ändrats eller tagits bort.",
        "✔ Hash chain intact: {count} events, no row changed or removed.",
    ),
    "audit.chain_broken": (
        "✖ Tarkistusketju katkennut {count} kohdasta: rivejä on muutettu, poistettu tai lisätty "
        "ohjelman ulkopuolella.",
        "✖ Kontrollkedjan är bruten på {count} ställen: rader har ändrats, tagits bort eller "
        "lagts till utanför programmet.",
        "✖ Hash chain broken in {count} place(s): rows were changed, removed or added outside "
        "the product.",
    ),
    "audit.break.missing": (
        "Tapahtuma {event} puuttuu (seuraava on {following}).",
        "Händelse {event} saknas (nästa är {following}).",
        "Event {event} is missing (the next is {following}).",
    ),
    "audit.break.relinked": (
        "Tapahtuma {event}: sitä edeltävää riviä on muutettu tai se on poistettu.",
        "Händelse {event}: raden före den har ändrats eller tagits bort.",
        "Event {event}: the row before it was changed or removed.",
    ),
    "audit.break.changed": (
        "Tapahtuma {event}: riviä on muutettu kirjaamisen jälkeen.",
        "Händelse {event}: raden har ändrats efter att den skrevs.",
        "Event {event}: the row was changed after it was written.",
    ),
    "audit.shown": (
        "{count} tapahtumaa, uusin ensin.",
        "{count} händelser, den senaste först.",
        "{count} event(s), newest first.",
    ),
    "audit.bad_range": (
        "Alkupäivä on loppupäivän jälkeen.",
        "Startdatumet är efter slutdatumet.",
        "The first day is after the last day.",
    ),
    "audit.download_xlsx": ("Lataa .xlsx", "Ladda ner .xlsx", "Download .xlsx"),
    "audit.download_csv": (
        "Lataa CSV (suomalainen Excel)",
        "Ladda ner CSV (finsk Excel)",
        "Download CSV (Finnish Excel)",
    ),
    "audit.download_note": (
        "Jokainen lataus kirjataan tapahtumalokiin.",
        "Varje nedladdning registreras i händelseloggen.",
        "Every download is recorded in the audit log.",
    ),
    "audit.settlement_trail": (
        "Tapahtumat: selvitys, hyväksyntä ja toimitukset",
        "Händelser: avräkning, godkännande och leveranser",
        "Events: settlement, approval and deliveries",
    ),
    "audit.open_log": ("Avaa tapahtumaloki", "Öppna händelseloggen", "Open the audit log"),
    "audit.none": ("Ei tapahtumia.", "Inga händelser.", "No events."),
    "audit.action.contract-add": ("sopimusehdot", "avtalsvillkor", "contract terms"),
    "audit.action.load": ("toimituksen lataus", "laddning av leverans", "delivery load"),
    "audit.action.settle": ("selvitys", "avräkning", "settle"),
    "audit.action.prepare": ("valmistelu", "förberedelse", "prepare"),
    "audit.action.approve": ("hyväksyntä", "godkännande", "approve"),
    "audit.action.reject": ("palautus luonnokseksi", "återsänd som utkast", "reject"),
    "audit.action.rank": ("etusijajärjestys", "prioritetsordning", "priority order"),
    "audit.action.export": ("vienti", "export", "export"),
    "audit.action.sign-in": ("kirjautuminen", "inloggning", "sign-in"),
    "audit.action.open-page": ("sivun avaus", "öppning av sida", "page opened"),
    "audit.action.open-contract": ("sopimuksen avaus", "öppning av avtal", "contract opened"),
    "audit.action.role-mapping": ("roolitiedosto", "rollfil", "role mapping"),
    "audit.outcome.done": ("tehty", "utförd", "done"),
    "audit.outcome.unchanged": ("ei muutosta", "oförändrad", "unchanged"),
    "audit.outcome.rejected": ("hylätty", "avvisad", "rejected"),
    "audit.outcome.refused": ("estetty", "nekad", "refused"),
    "audit.channel.browser": ("selain", "webbläsare", "browser"),
    "audit.channel.cli": ("komentorivi", "kommandorad", "command line"),
    # the security floor: the database unavailable
    "db.missing": (
        "Tietokantaa ei löydy, joten sopimuksia ja maksuja ei voi nyt näyttää.",
        "Databasen hittas inte, så avtal och betalningar kan inte visas nu.",
        "The database cannot be found, so contracts and payments cannot be shown now.",
    ),
    "db.unreadable": (
        "Tietokantaa ei voi lukea, joten sopimuksia ja maksuja ei voi nyt näyttää.",
        "Databasen kan inte läsas, så avtal och betalningar kan inte visas nu.",
        "The database cannot be read, so contracts and payments cannot be shown now.",
    ),
    "db.what_to_do": (
        "Yritä hetken päästä uudelleen. Jos tilanne jatkuu, kerro siitä ylläpitäjälle: "
        "palvelimen lokissa on tarkempi syy.",
        "Försök igen om en stund. Om felet kvarstår, meddela administratören: serverns logg "
        "anger orsaken närmare.",
        "Try again in a moment. If it goes on, tell the administrator: the server's log says more.",
    ),
    "db.for_admin": (
        "Ylläpitäjälle: luo tietokanta (`vaikuttavuus init`, `make demo`) tai käynnistä "
        "palvelin oikealla tiedostolla (`vaikuttavuus --db TIEDOSTO serve`).",
        "För administratören: skapa databasen (`vaikuttavuus init`, `make demo`) eller starta "
        "servern med rätt fil (`vaikuttavuus --db FIL serve`).",
        "For the administrator: create the database (`vaikuttavuus init`, `make demo`) or "
        "start the server on the right file (`vaikuttavuus --db FILE serve`).",
    ),
    # payment run (Maksuajo)
    "page.payment_run": ("Maksuajo", "Betalningskörning", "Payment run"),
    "run.period": ("Maksuajon neljännes", "Körningens kvartal", "Quarter of the run"),
    "run.waiting": ("{run} ({count} odottaa)", "{run} ({count} väntar)", "{run} ({count} waiting)"),
    "run.membership": (
        "Ajoon kuuluvat selvitykset, joiden kausi päättyy neljänneksellä (neljännes ja sen "
        "kuukaudet; puolivuosi ja vuosi viimeisen neljänneksensä ajossa), sekä neljänneksellä "
        "lasketut oikaisut jo hyväksyttyihin selvityksiin, erotuksenaan.",
        "Körningen omfattar avräkningar vars period slutar under kvartalet (kvartalet och dess "
        "månader; halvår och år i sista kvartalets körning) samt korrigeringar av redan "
        "godkända avräkningar som beräknats under kvartalet, som sin skillnad.",
        "The run holds the settlements whose period ends in the quarter (the quarter and its "
        "months; a half-year or a year in its last quarter's run), and the corrections of "
        "approved settlements settled in the quarter, as their difference.",
    ),
    "run.settlements": ("Ajon selvitykset", "Körningens avräkningar", "Settlements of the run"),
    "run.totals": ("Yhteensä toimittajittain", "Totalt per leverantör", "Totals per supplier"),
    "run.business_id": ("Y-tunnus", "FO-nummer", "Business ID"),
    "run.payable": ("Netto (maksetaan)", "Netto (betalas)", "Net (to pay)"),
    "run.corrects": ("Korjaa versiota", "Korrigerar version", "Corrects version"),
    "run.approved_by": ("Hyväksyjä", "Godkänd av", "Approved by"),
    "run.approved_net": ("Hyväksytty netto", "Godkänt netto", "Approved net"),
    "run.count": ("Selvityksiä", "Avräkningar", "Settlements"),
    "run.correction_pending": (
        "oikaisu odottaa ({state})",
        "korrigering väntar ({state})",
        "correction pending ({state})",
    ),
    "run.prepare_all": (
        "Valmistele kaikki ({count})",
        "Förbered alla ({count})",
        "Prepare all ({count})",
    ),
    "run.approve_all": (
        "Hyväksy kaikki ({count})",
        "Godkänn alla ({count})",
        "Approve all ({count})",
    ),
    "run.prepared_now": (
        "{count} selvitystä valmisteltu. Toinen talouden käyttäjä hyväksyy ne.",
        "{count} avräkningar förberedda. En annan ekonomianvändare godkänner dem.",
        "{count} settlements prepared. Another finance user approves them.",
    ),
    "run.approved_now": (
        "{count} selvitystä hyväksytty ja lukittu.",
        "{count} avräkningar godkända och låsta.",
        "{count} settlements approved and locked.",
    ),
    "run.file_note": (
        "Maksutiedostoon tulevat vain hyväksytyt rivit ({approved}); {left} hyväksymätöntä "
        "jää pois.",
        "Betalningsfilen innehåller endast godkända rader ({approved}); {left} ej godkända "
        "lämnas bort.",
        "The payment file holds approved rows only ({approved}); {left} not yet approved are "
        "left out.",
    ),
    # leadership page: the data behind a priority order, and a stale order
    "leadership.data_until": (
        "uusin toimitus {when}",
        "senaste leverans {when}",
        "newest delivery {when}",
    ),
    "leadership.stale": (
        "Vanhentunut: järjestys on laskettu {computed} (uusin toimitus {data}), mutta "
        "sopimusten tilityksiä on muutettu sen jälkeen, viimeksi {settled}. Talous laskee "
        "sen uudelleen (`vaikuttavuus rank`).",
        "Föråldrad: ordningen beräknades {computed} (senaste leverans {data}), men "
        "avtalens avräkningar har ändrats efter det, senast {settled}. Ekonomin beräknar "
        "den på nytt (`vaikuttavuus rank`).",
        "Stale: the order was computed {computed} (newest delivery {data}), but the "
        "contracts' settlements have changed since, last on {settled}. Finance recomputes "
        "it (`vaikuttavuus rank`).",
    ),
}

THEMES = {
    "asiakaskokemus": ("asiakaskokemus", "klientupplevelse", "client experience"),
    "henkilostokokemus": ("henkilöstökokemus", "personalupplevelse", "staff experience"),
    "hyva-johtaminen": ("hyvä johtaminen", "gott ledarskap", "good leadership"),
    "talouden-tasapaino": ("talouden tasapaino", "ekonomisk balans", "economic balance"),
    "vaikuttavuus": ("vaikuttavuus", "verkningsfullhet", "effectiveness"),
}

SERVICES = {
    "kotihoito": ("kotihoito", "hemvård", "home care"),
    "tehostettu-palveluasuminen": (
        "tehostettu palveluasuminen",
        "serviceboende med heldygnsomsorg",
        "24-hour service housing",
    ),
    "lastensuojelu": ("lastensuojelu", "barnskydd", "child welfare"),
    "paihdekuntoutus": ("päihdekuntoutus", "missbruksrehabilitering", "substance-abuse rehab"),
    "tyollisyyspalvelut": ("työllisyyspalvelut", "sysselsättningstjänster", "employment services"),
}


def lang_index(lang: str) -> int:
    return LANGUAGES.index(lang) if lang in LANGUAGES else 0


def t(key: str, lang: str, **values: object) -> str:
    """The text of `key` in the language, with {placeholders} filled in."""
    text = _T[key][lang_index(lang)]
    return text.format(**values) if values else text


def adjustment_name(kind: str, lang: str) -> str:
    """The engine's adjustment kind in words: 'bonus-cap' -> 'bonuskatto'."""
    key = f"adj.{kind}"
    return t(key, lang) if key in _T else kind


def all_keys() -> list[str]:
    return list(_T)


def status_word(status: str | None, lang: str) -> str:
    """Icon and word, never colour alone: 'achieved' -> '✔ saavutettu'."""
    if status is None or status not in STATUS_ICONS:
        return ""
    return f"{STATUS_ICONS[status]} {t('status.' + status, lang)}"


def theme_name(theme: str, lang: str) -> str:
    return THEMES.get(theme, (theme, theme, theme))[lang_index(lang)]


def service_name(service: str, lang: str) -> str:
    return SERVICES.get(service, (service, service, service))[lang_index(lang)]


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def number(value: object, lang: str, places: int = 2) -> str:
    """A number half-up to `places` decimals: fi/sv '1 234,56', en '1,234.56'; negatives
    with a real minus sign. None -> ''."""
    amount = _decimal(value)
    if amount is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    rounded = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = MINUS if rounded < 0 else ""
    text = f"{abs(rounded):,.{places}f}"
    if lang == "en":
        return sign + text
    return sign + text.replace(",", " ").replace(".", ",")


def short_number(value: object, lang: str, places: int = 2) -> str:
    """A number with at most `places` decimals and no trailing zeros: 83,4 / 12."""
    text = number(value, lang, places)
    decimal_mark = "." if lang == "en" else ","
    if decimal_mark in text:
        text = text.rstrip("0").rstrip(decimal_mark)
    return text


def euros(value: object, lang: str) -> str:
    """Money: '1 234,56 €' (fi, sv), '1,234.56 €' (en); '' for None."""
    text = number(value, lang, 2)
    return f"{text} €" if text else ""


def count(value: int | None, lang: str) -> str:
    if value is None:
        return ""
    text = f"{value:,}"
    return text if lang == "en" else text.replace(",", " ")


_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: date | datetime | None, lang: str) -> str:
    """A date: '31.3.2025' (fi, sv), '31 Mar 2025' (en)."""
    if value is None:
        return ""
    if lang == "en":
        return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day}.{value.month}.{value.year}"


def moment(value: datetime | None, lang: str) -> str:
    """A date and time: '31.3.2025 14.05' (fi), '31.3.2025 14:05' (sv), '31 Mar 2025 14:05'."""
    if value is None:
        return ""
    separator = "." if lang == "fi" else ":"
    return f"{day(value, lang)} {value.hour:02d}{separator}{value.minute:02d}"
