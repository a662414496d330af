"""RT-2 (seed 003 §4) through the JSON API: a professional (alice) asking for an
erasure at closure is refused, and stays open; a patient (camille) closing their own
account asks for their data to be erased at once. Prints `label status type body`."""
from apicase import A, call, login

alice = login("pro-login", A["alice"], A["alice_totp"])
call("pro-erase", "POST", "/account/close", token=alice, body={"confirm": True, "erase": True})
call("pro-still", "GET", "/folders", token=alice)
camille = login("patient-login", A["camille"], A["camille_totp"])
call("patient-erase", "POST", "/account/close", token=camille,
     body={"confirm": True, "erase": True})
call("patient-after", "GET", "/folders", token=camille)
