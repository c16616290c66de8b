"""The demo's fleet, passengers and M-Pesa credentials: realistic Kenyan data, deterministic (seeded)."""

import random
from dataclasses import dataclass
from decimal import Decimal

SITE = "demo.local"
ADMIN_PASSWORD = "admin"

# Daraja's published sandbox test values: the C2B paybill, the B2C shortcode and the initiator.
PAYBILL = "600984"
B2C_SHORTCODE = "600997"
CONSUMER_KEY = "tuktuk-demo-key"
CONSUMER_SECRET = "tuktuk-demo-secret"
INITIATOR_NAME = "testapi"
INITIATOR_PASSWORD = "Safaricom999!*!"


@dataclass(frozen=True)
class DriverSpec:
	tuktuk_id: str
	mpesa_account: str  # what passengers type as the paybill's account number
	first_name: str
	last_name: str
	mpesa_number: str  # as the driver gave it; the app normalises it to 2547XXXXXXXX / 2541XXXXXXXX
	national_id: str
	daily_target: int = 0  # 0: the global target (TukTuk Settings, KES 3,000)
	fare_percentage: int = 0  # 0: the global fare percentage (50%)


FLEET = (
	DriverSpec("TT-014", "TT014", "Joseph", "Kamau Mwangi", "0712 345 678", "28451903"),
	DriverSpec(
		"TT-027", "TT027", "Grace", "Wanjiru Njoroge", "+254 722 481 397", "31207764", daily_target=1500
	),
	DriverSpec("TT-033", "TT033", "Brian", "Otieno Ouma", "0110 562 904", "29930417", fare_percentage=60),
)
UNKNOWN_ACCOUNT = "TT099"  # no such tuktuk: a passenger's typo

FARES = (50, 70, 80, 100, 100, 120, 150, 150, 200, 250, 300, 350, 400, 500)
PASSENGER_NAMES = (
	"Mary Akinyi",
	"Peter Kiprotich",
	"Faith Chebet",
	"Samuel Mutua",
	"Esther Nyambura",
	"Kevin Omondi",
	"Mercy Wambui",
	"Dennis Kipchoge",
	"Lucy Moraa",
	"James Karanja",
	"Aisha Hassan",
	"Collins Wafula",
	"Purity Jeptoo",
	"Daniel Ngugi",
	"Halima Abdi",
	"Victor Kibet",
)


@dataclass(frozen=True)
class Payment:
	index: int
	account: str  # as typed by the passenger
	driver_index: int | None  # whose tuktuk (None: unknown account)
	amount: Decimal
	phone: str  # the passenger's MSISDN, unique per payment so sandbox records can be matched
	name: str


def passenger_phone(rng: random.Random, used: set) -> str:
	while True:
		phone = rng.choice(("2547", "2547", "2547", "2541")) + "".join(rng.choices("0123456789", k=8))
		if phone not in used:
			used.add(phone)
			return phone


def passengers(count: int, seed: int = 2026):
	"""`count` payments spread evenly over the fleet (a few accounts typed in lower case), plus two to an
	unknown account. Returns (payments, unknown_payments)."""
	rng = random.Random(seed)
	used = set()
	order = [i % len(FLEET) for i in range(count)]
	rng.shuffle(order)
	payments = []
	for index, driver_index in enumerate(order):
		account = FLEET[driver_index].mpesa_account
		if rng.random() < 0.1:
			account = account.lower()
		payments.append(
			Payment(
				index,
				account,
				driver_index,
				Decimal(rng.choice(FARES)),
				passenger_phone(rng, used),
				rng.choice(PASSENGER_NAMES),
			)
		)
	unknown = [
		Payment(count + k, UNKNOWN_ACCOUNT, None, Decimal(amount), passenger_phone(rng, used), name)
		for k, (amount, name) in enumerate(((150, "Ruth Achieng"), (200, "Moses Kiptoo")))
	]
	return payments, unknown
