"""A labelled set for venue matching: Google places, the Resy venues of a small world, and which
venue (or none) each place *is*.

Coordinates are close to the real ones. Where a place and its venue are the same restaurant,
Resy's point is put a few metres to a few dozen metres off Google's, as real geocoders
disagree. Resy ids and Google place ids are made up, in the right shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

from concierge.sandbox.google_places import SandboxPlace
from concierge.sandbox.resy_data import DemoVenue


def venue(
    venue_id: int,
    name: str,
    address: str,
    lat: float,
    lng: float,
    *,
    google: str | None = None,
    locality: str = "New York",
    region: str = "NY",
    postal: str = "10001",
    neighborhood: str = "",
    cuisine: tuple[str, ...] = ("American",),
    city_code: str = "ny",
) -> DemoVenue:
    slug = "-".join(name.lower().replace("'", "").split())
    return DemoVenue(
        venue_id, name, slug, address, locality, region, postal, neighborhood, cuisine, lat, lng,
        google_place_id=google, city_code=city_code,
    )  # fmt: skip


@dataclass(frozen=True)
class Case:
    label: str
    place: SandboxPlace
    expected: int | None  # the Resy venue id this place is, or None: not on Resy


def place(
    place_id: str,
    name: str,
    address: str,
    lat: float,
    lng: float,
    *,
    locality: str = "New York",
    region: str = "NY",
    postal: str = "10001",
) -> SandboxPlace:
    number, route = address.split(" ", 1)
    return SandboxPlace(place_id, name, number, route, locality, region, postal, lat, lng)


G_CARBONE = "ChIJ0xBhH5BZwokRmWZk1zmRTtM"
G_CARBONE_MIAMI = "ChIJCarboneMiami49CollinsAv"
G_COTE = "ChIJCote16W22ndStFlatironNY"
G_LILIA = "ChIJq6qqaV9ZwokRlCNKqYl0ZQo"
G_I_SODI = "ChIJ7V8mY5NZwokRz8QYkOeO3Lg"
G_GJELINA = "ChIJq3Q3HBu7woARBnNU6yQ8m3E"
G_LARTUSI = "ChIJLArtusi228W10thStNYCxx"
G_MINETTA = "ChIJMinetta113MacDougalStNY"
G_ATOMIX = "ChIJAtomix104E30thStNYCxxxx"
G_SUNDAY = "ChIJSundayInBrooklyn348Wyth"
G_BERNARDIN = "ChIJLeBernardin155W51stStNY"
G_HAS = "ChIJHasSnackBar297BroomeStN"
G_MISI = "ChIJMisi329KentAveBrooklynN"
G_THAI_DINER = "ChIJQ0wG3YlZwokR4Ff7pW3aLxU"

MIAMI = {"locality": "Miami Beach", "region": "FL", "postal": "33139"}
BROOKLYN = {"locality": "Brooklyn", "postal": "11211"}

RESY_VENUES: tuple[DemoVenue, ...] = (
    venue(6194, "Carbone", "181 Thompson St", 40.72793, -74.00019, google=G_CARBONE),
    venue(70101, "Carbone Miami", "49 Collins Ave", 25.76830, -80.13330, google=G_CARBONE_MIAMI,
          city_code="mia", **MIAMI),
    venue(1505, "Don Angie NYC", "103 Greenwich Ave", 40.73794, -74.00208),
    venue(70102, "COTE", "16 W 22nd St", 40.74155, -73.99155, google=G_COTE),
    venue(70103, "COTE Miami", "3900 NE 2nd Ave", 25.81330, -80.19240, locality="Miami",
          region="FL", city_code="mia"),
    venue(70104, "Tatiana", "10 Lincoln Center Plaza", 40.77290, -73.98340),
    venue(70105, "Cafe Boulud", "100 E 63rd St", 40.76520, -73.96740),
    venue(5769, "Rezdôra", "27 E 20th St", 40.73868, -73.98910),
    venue(70106, "Russ and Daughters Cafe", "127 Orchard St", 40.71950, -73.98970),
    venue(70107, "Frenchette", "241 West Broadway", 40.71960, -74.00570),
    venue(70108, "The Smith - NoMad", "1150 Broadway", 40.74460, -73.98880),
    venue(70109, "The Smith - Lincoln Square", "1900 Broadway", 40.77140, -73.98200),
    venue(70110, "The Smith - Midtown", "956 2nd Ave", 40.75510, -73.96800),
    venue(418, "Lilia", "567 Union Ave", 40.71752, -73.95237, google=G_LILIA, **BROOKLYN),
    venue(70111, "Balthazar", "80 Spring St", 40.72260, -73.99810, cuisine=("French",)),
    venue(2567, "Via Carota", "51 Grove St", 40.73322, -74.00368,
          cuisine=("Italian", "Wine Bar")),
    venue(443, "I Sodi", "105 Christopher St", 40.73346, -74.00546, google=G_I_SODI),
    venue(1176, "Gjelina", "1429 Abbot Kinney Blvd", 33.99048, -118.46474, google=G_GJELINA,
          locality="Venice", region="CA", postal="90291", city_code="la"),
    # Its id.google is an old place id Google has since replaced.
    venue(70112, "Sushi Nakazawa", "23 Commerce St", 40.73150, -74.00420,
          google="ChIJOldStalePlaceIdNakazawa"),
    venue(70113, "Raouls", "180 Prince St", 40.72660, -74.00270),
    venue(70114, "L'Artusi", "228 W 10th St", 40.73380, -74.00530, google=G_LARTUSI),
    venue(70115, "Le Coucou", "138 Lafayette Street", 40.71920, -74.00010),
    venue(70116, "Minetta Tavern", "113 MacDougal St", 40.73010, -74.00060, google=G_MINETTA),
    venue(70117, "Peter Luger", "178 Broadway", 40.70985, -73.96240, **BROOKLYN),
    venue(70118, "Keens", "72 W 36th St", 40.75070, -73.98700),
    venue(70119, "Tacombi", "267 Elizabeth St", 40.72450, -73.99340),
    venue(70120, "Tacombi", "23 W 33rd St", 40.74770, -73.98630),
    venue(70121, "The Musket Room", "265 Elizabeth St", 40.72430, -73.99350),
    venue(70122, "Jack's Wife Freda", "50 Carmine St", 40.73020, -74.00500),
    venue(70123, "Dhamaka", "", 40.71880, -73.98870),  # no street address on Resy
    venue(70124, "Semma", "", 40.73400, -73.99900),  # no address, and a point 440 m off
    venue(70125, "Atomix NYC", "104 E 30th St", 40.74440, -73.98250, google=G_ATOMIX),
    venue(70126, "SIB", "348 Wythe Ave", 40.71760, -73.96390, google=G_SUNDAY, **BROOKLYN),
    venue(70127, "Nura Greenpoint", "46 Norman Ave", 40.72420, -73.95170, **BROOKLYN),
    venue(70128, "Casa Enrique", "5-48 49th Ave", 40.74280, -73.95470,
          locality="Long Island City"),
    venue(70129, "Le Bernardin", "155 W 51st St", 40.76150, -73.98180, google=G_BERNARDIN),
    venue(70130, "Lucali", "575 Henry St", 40.68170, -74.00030, **BROOKLYN),
    venue(70131, "Lucali", "1930 Bay Rd", 25.79510, -80.14330, city_code="mia", **MIAMI),
    venue(70132, "Ruffian", "125 E 7th St", 40.72610, -73.98410),
    venue(70133, "Smith & Wollensky", "797 3rd Ave", 40.75530, -73.97080),
    venue(70134, "Estela", "47 E Houston St", 40.72470, -73.99460),
    venue(70136, "Ha's Đặc Biệt", "297 Broome St", 40.71890, -73.99220, google=G_HAS),
    venue(70137, "Joe's Shanghai", "46 Bowery", 40.71560, -73.99690),
    venue(70138, "Misi", "329 Kent Ave", 40.71360, -73.96790, google=G_MISI, **BROOKLYN),
    venue(70139, "Thai Diner", "186 Mott St", 40.72070, -73.99566, google=G_THAI_DINER),
)  # fmt: skip


def case(label: str, expected: int | None, *args: object, **kwargs: object) -> Case:
    return Case(label, place(*args, **kwargs), expected)  # type: ignore[arg-type]


CASES: tuple[Case, ...] = (
    # id.google present: the surest match
    case("id.google", 6194, G_CARBONE, "Carbone", "181 Thompson St", 40.72795, -74.00017),
    case("same name, other city, id.google", 70101, G_CARBONE_MIAMI, "Carbone",
         "49 Collins Ave", 25.76832, -80.13327, **MIAMI),
    case("same name, city without one", None, "ChIJCarboneDallas1701NMarke", "Carbone",
         "1701 N Market St", 32.78450, -96.80870, locality="Dallas", region="TX"),
    case("id.google, Google adds cuisine words", 70102, G_COTE, "COTE Korean Steakhouse",
         "16 W 22nd St", 40.74150, -73.99150),
    case("id.google", 418, G_LILIA, "Lilia", "567 Union Ave", 40.71755, -73.95240, **BROOKLYN),
    case("id.google", 443, G_I_SODI, "I Sodi", "105 Christopher St", 40.73349, -74.00549),
    case("id.google, Los Angeles", 1176, G_GJELINA, "Gjelina", "1429 Abbot Kinney Blvd",
         33.99051, -118.46471, locality="Venice", region="CA", postal="90291"),
    case("id.google, apostrophe", 70114, G_LARTUSI, "L'Artusi", "228 W 10th St",
         40.73385, -74.00525),
    case("id.google", 70116, G_MINETTA, "Minetta Tavern", "113 MacDougal St",
         40.73012, -74.00058),
    case("id.google, Resy adds NYC", 70125, G_ATOMIX, "Atomix", "104 E 30th St",
         40.74443, -73.98247),
    case("renamed, found only by id.google", 70126, G_SUNDAY, "Sunday in Brooklyn",
         "348 Wythe Ave", 40.71762, -73.96393, **BROOKLYN),
    case("renamed, accents, id.google", 70136, G_HAS, "Ha's Snack Bar", "297 Broome St",
         40.71893, -73.99218),
    case("id.google", 70129, G_BERNARDIN, "Le Bernardin", "155 W 51st St",
         40.76152, -73.98183),
    case("id.google", 70138, G_MISI, "Misi", "329 Kent Ave", 40.71362, -73.96792, **BROOKLYN),
    case("id.google", 70139, G_THAI_DINER, "Thai Diner", "186 Mott St", 40.72072, -73.99563),
    case("stale id.google, same name and address", 70112, "ChIJSushiNakazawaNew23Comme",
         "Sushi Nakazawa", "23 Commerce St", 40.73152, -74.00418),
    # id.google absent: names and addresses
    case("renamed: Don Angie / Don Angie NYC", 1505, "ChIJDonAngie103GreenwichAve",
         "Don Angie", "103 Greenwich Ave", 40.73791, -74.00205),
    case("city in the name on both sides", 70103, "ChIJCoteMiami3900NE2ndAvexx", "Cote Miami",
         "3900 NE 2nd Ave", 25.81335, -80.19236, locality="Miami", region="FL"),
    case("'by' the chef", 70104, "ChIJTatiana10LincolnCenterP", "Tatiana by Kwame Onwuachi",
         "10 Lincoln Center Plaza", 40.77295, -73.98336),
    case("accent on Google", 70105, "ChIJCafeBoulud100E63rdStNYx", "Café Boulud",
         "100 E 63rd St", 40.76523, -73.96737),
    case("accent on Resy", 5769, "ChIJRezdora27E20thStFlatirn", "Rezdora", "27 E 20th St",
         40.73871, -73.98913),
    case("& and 'and'", 70106, "ChIJRussDaughters127Orchard", "Russ & Daughters Cafe",
         "127 Orchard St", 40.71953, -73.98966),
    case("W / West, 60 m apart", 70107, "ChIJFrenchette241WBroadway", "Frenchette",
         "241 W Broadway", 40.71914, -74.00536),
    case("chain in one city: this branch", 70108, "ChIJTheSmithNoMad1150Broad", "The Smith",
         "1150 Broadway", 40.74463, -73.98884),
    case("chain in one city: that branch", 70109, "ChIJTheSmithLincoln1900Broa", "The Smith",
         "1900 Broadway", 40.77143, -73.98204),
    case("chain: a branch Resy lacks", None, "ChIJTheSmithEastVillage55", "The Smith",
         "55 3rd Ave", 40.73170, -73.98870),
    case("no id.google, plain", 70111, "ChIJBalthazar80SpringStMnht", "Balthazar",
         "80 Spring St", 40.72263, -73.99811),
    case("no id.google, plain", 2567, "ChIJViaCarota51GroveStxxxxx", "Via Carota",
         "51 Grove St", 40.73319, -74.00371),
    case("apostrophe on Google only", 70113, "ChIJRaouls180PrinceStxxxxxx", "Raoul's",
         "180 Prince St", 40.72657, -74.00273),
    case("St / Street", 70115, "ChIJLeCoucou138LafayetteStx", "Le Coucou", "138 Lafayette St",
         40.71923, -74.00007),
    case("'Steak House'", 70117, "ChIJPeterLuger178BroadwayBk", "Peter Luger Steak House",
         "178 Broadway", 40.70985, -73.96243, **BROOKLYN),
    case("'Steakhouse'", 70118, "ChIJKeens72W36thStxxxxxxxx", "Keens Steakhouse",
         "72 W 36th St", 40.75073, -73.98697),
    case("chain: Nolita branch", 70119, "ChIJTacombiNolita267Elizab", "Tacombi",
         "267 Elizabeth St", 40.72453, -73.99337),
    case("chain: Midtown branch", 70120, "ChIJTacombi23W33rdStxxxxxx", "Tacombi",
         "23 W 33rd St", 40.74773, -73.98627),
    case("chain: branch Resy lacks", None, "ChIJTacombiBleecker255xxxx", "Tacombi",
         "255 Bleecker St", 40.73120, -74.00280),
    case("chain: same house number, other city", None, "ChIJTacombiChicago23WHubba",
         "Tacombi", "23 W Hubbard St", 41.88990, -87.62910, locality="Chicago", region="IL"),
    case("leading 'The' on Resy", 70121, "ChIJMusketRoom265Elizabeth", "Musket Room",
         "265 Elizabeth St", 40.72433, -73.99347),
    case("chain: branch Resy lacks", None, "ChIJJacksWifeFredaSoho224L", "Jack's Wife Freda",
         "224 Lafayette St", 40.72170, -73.99760),
    case("chain: this branch", 70122, "ChIJJacksWifeFreda50Carmin", "Jack's Wife Freda",
         "50 Carmine St", 40.73023, -74.00497),
    case("no address on Resy, 40 m", 70123, "ChIJDhamaka119DelanceyStxx", "Dhamaka",
         "119 Delancey St", 40.71845, -73.98860),
    case("no address on Resy, 440 m off", 70124, "ChIJSemma60GreenwichAvexxx", "Semma",
         "60 Greenwich Ave", 40.73780, -74.00060),
    case("neighbourhood in Resy's name", 70127, "ChIJNura46NormanAveGreenpt", "Nura",
         "46 Norman Ave", 40.72423, -73.95167, **BROOKLYN),
    case("Queens house number, accent", 70128, "ChIJCasaEnrique548-49thAve", "Casa Enríque",
         "5-48 49th Ave", 40.74283, -73.95467, locality="Long Island City"),
    case("same name, two cities: Brooklyn", 70130, "ChIJLucaliBrooklyn575Henry", "Lucali",
         "575 Henry St", 40.68173, -74.00027, **BROOKLYN),
    case("same name, two cities: Miami", 70131, "ChIJLucaliMiami1930BayRdxx", "Lucali",
         "1930 Bay Rd", 25.79513, -80.14327, **MIAMI),
    case("'NYC' on Google", 70132, "ChIJRuffian125E7thStxxxxxx", "Ruffian NYC",
         "125 E 7th St", 40.72613, -73.98407),
    case("'and' and 'New York' on Google", 70133, "ChIJSmithWollensky797ThirdA",
         "Smith and Wollensky New York", "797 3rd Ave", 40.75533, -73.97077),
    case("'Restaurant' on Google", 70134, "ChIJEstela47EHoustonStxxxxx", "Estela Restaurant",
         "47 E Houston St", 40.72473, -73.99457),
    case("chain: same name, other borough", None, "ChIJJoesShanghaiFlushing136",
         "Joe's Shanghai", "136-21 37th Ave", 40.76050, -73.83040, locality="Flushing"),
    case("no id.google, apostrophe", 70137, "ChIJJoesShanghai46Bowery", "Joe's Shanghai",
         "46 Bowery", 40.71563, -73.99687),
    # look-alikes and places not on Resy
    case("not on Resy", None, "ChIJJoesPizza7CarmineStMnht", "Joe's Pizza", "7 Carmine St",
         40.73058, -74.00215),
    case("not on Resy", None, "ChIJKatzs205EHoustonStManht", "Katz's Delicatessen",
         "205 E Houston St", 40.72223, -73.98743),
    case("look-alike at the same address", None, "ChIJLiliaCaffe567UnionAveBk", "Lilia Caffè",
         "567 Union Ave", 40.71762, -73.95236, **BROOKLYN),
    case("look-alike at the same address", None, "ChIJBalthazarBakery80Spring",
         "Balthazar Bakery", "80 Spring St", 40.72268, -73.99815),
    case("next door, other name", None, "ChIJBarPisellino52GroveStxx", "Bar Pisellino",
         "52 Grove St", 40.73330, -74.00380),
    case("next door, other name", None, "ChIJSanSabino111GreenwichAv", "San Sabino",
         "111 Greenwich Ave", 40.73812, -74.00231),
    case("look-alike next door", None, "ChIJGjelinaTakeAway1427AbKn", "Gjelina Take Away",
         "1427 Abbot Kinney Blvd", 33.99044, -118.46466, locality="Venice", region="CA",
         postal="90291"),
    case("look-alike, same address, other place id", None, "ChIJMisiPasta329KentAvexxx",
         "Misi Pasta", "329 Kent Ave", 40.71365, -73.96795, **BROOKLYN),
    case("similar name nearby", None, "ChIJThaiVilla5E19thStManhtn", "Thai Villa",
         "5 E 19th St", 40.73894, -73.99080),
)  # fmt: skip
