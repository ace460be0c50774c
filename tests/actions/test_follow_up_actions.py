"""Follow-up questions, a person to talk to, other help, corrections and who the help is
for: the actions with Rasa SDK's Tracker and CollectingDispatcher on a seeded directory."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet

from actions import actions as A
from actions import crisis_actions as CA
from actions import follow_up as F
from bot import signposting

from .test_actions import run, texts, tracker


def shown_for(need: str, district: str = "Tendring", age: int = 81) -> list:
    services, _ = signposting.find_services(need, district, age)
    return services


def test_number_for_what_was_just_shown_comes_from_the_directory(directory):
    shown = shown_for("loneliness")
    d, _ = run(F.ActionServiceQuestion(), tracker(
        "what's their phone number?", "service_question",
        {"need": "loneliness", "shown_service_ids": [s.id for s in shown]}))
    out = texts(d)
    with_phone = [s for s in shown if s.contact_phone]
    assert with_phone, "the seed should give a Tendring loneliness service with a phone"
    for s in with_phone:
        assert s.contact_phone in out
    assert "topics" not in out.lower() and "I can point you" not in out


def test_opening_hours_are_given_or_honestly_not_listed(directory):
    shown = shown_for("loneliness")
    d, _ = run(F.ActionServiceQuestion(), tracker(
        "when are they open?", "service_question",
        {"shown_service_ids": [s.id for s in shown]}))
    out = texts(d)
    unlisted = [s for s in shown if not s.hours]
    for s in shown:
        assert (s.hours and s.hours in out) or "say when they're open" in out
    if unlisted:  # said once, with how to ask each of them
        assert out.count("say when they're open") == 1
        assert all(s.title in out for s in unlisted)


def test_the_first_one_means_the_first_service_shown(directory):
    shown = shown_for("smoking", "Braintree", 40)
    d, _ = run(F.ActionServiceQuestion(), tracker(
        "is the first one free?", "service_question",
        {"shown_service_ids": [s.id for s in shown]}))
    assert len(d.messages) == 2  # one answer and one prompt
    assert d.messages[0]["text"].startswith(shown[0].title)
    assert "free" in d.messages[0]["text"] or "cost" in d.messages[0]["text"]


def test_can_you_refer_me_is_answered_honestly_with_the_route(directory):
    shown = shown_for("loneliness")
    d, _ = run(F.ActionServiceQuestion(), tracker(
        "can you refer me to them?", "service_question",
        {"shown_service_ids": [s.id for s in shown]}))
    out = texts(d)
    assert "can't make referrals myself" in out
    assert "Self-referral" in out or "Referral" in out or "isn't listed" in out


def test_eligibility_for_an_age_says_yes_or_no_from_the_age_limits(directory):
    young = [s for s in shown_for("mental_wellbeing", "Colchester", 15)
             if s.maximum_age is not None and s.maximum_age < 30]
    assert young, "the seed has a young people's mental health service with an age limit"
    service = young[0]
    d, _ = run(F.ActionServiceQuestion(), tracker(
        f"do they take {service.maximum_age + 5} year olds?", "service_question",
        {"shown_service_ids": [service.id]}))
    assert "No, not at that age" in texts(d)
    d, _ = run(F.ActionServiceQuestion(), tracker(
        f"would they take my son, he's {service.maximum_age}", "service_question",
        {"shown_service_ids": [service.id]}))
    assert "Yes, that age fits" in texts(d)


def test_a_named_line_is_answered_at_any_time(directory):
    d, _ = run(F.ActionServiceQuestion(), tracker("number for samaritans pls",
                                                  "service_question"))
    assert "116 123" in texts(d)


def test_a_named_service_is_found_by_name(directory):
    d, _ = run(F.ActionServiceQuestion(), tracker("how do I contact Active Essex",
                                                  "service_question"))
    assert "Active Essex" in texts(d)


def test_nothing_shown_and_nothing_named_asks_which_service(directory):
    d, _ = run(F.ActionServiceQuestion(), tracker("what's their number", "service_question"))
    assert texts(d) == F.replies.WHICH_SERVICE


def test_one_near_me_without_a_place_asks_where(directory):
    shown = shown_for("physical_activity", None, 40)
    d, _ = run(F.ActionServiceQuestion(), tracker(
        "is there one near me?", "service_question",
        {"shown_service_ids": [s.id for s in shown]}))
    assert texts(d) == F.replies.ASK_PLACE_FOR_NEAR


def test_a_person_to_talk_to_gives_real_routes_with_the_shown_phones(directory):
    shown = shown_for("loneliness")
    d, _ = run(F.ActionTalkToPerson(), tracker(
        "I want to talk to a real person", "talk_to_person",
        {"shown_service_ids": [s.id for s in shown]}))
    out = texts(d)
    assert "116 123" in out and "social prescriber" in out
    assert any(s.contact_phone in out for s in shown if s.contact_phone)
    assert F.replies.IAMABOT not in out  # not the bot disclaimer again


def test_money_worries_get_a_sourced_pointer_not_the_bins_text(directory):
    d, _ = run(F.ActionOtherHelp(), tracker("I'm drowning in debt and can't sleep",
                                            "other_help"))
    out = texts(d)
    assert "StepChange" in out and "0800 138 1111" in out
    assert "council tax" not in out


def test_a_food_bank_question_gets_the_food_bank_finder(directory):
    d, _ = run(F.ActionOtherHelp(), tracker("where's the food bank in canvey", "other_help"))
    assert "trusselltrust.org" in texts(d)


def test_bins_still_get_the_council_pointer(directory):
    d, _ = run(F.ActionOtherHelp(), tracker("when are the bins collected", "out_of_scope"))
    assert "essex.gov.uk" in texts(d)


def test_bereavement_gets_bereavement_support_alongside_loneliness(directory):
    _, events = run(A.ActionSetNeed(), tracker(
        "since my wife died I'm so lonely, I'm 81 and in Clacton", "loneliness"))
    assert SlotSet("other_topics", ["bereavement"]) in events
    d, _ = run(A.ActionShowServices(), tracker(
        "", "loneliness", {"need": "loneliness", "district": "Tendring", "age": "81",
                           "other_topics": ["bereavement"]}))
    closing = d.messages[-1]["text"]
    assert "Cruse" in closing and "0808 808 1677" in closing
    assert "Hope Again" not in closing  # the young people's site is not for an 81-year-old


def test_a_bare_town_after_results_shows_services_for_it(directory):
    d, events = run(A.ActionSetNeed(), tracker(
        "Witham", "inform", {"need": "loneliness", "district": "Tendring", "age": "81",
                             "shown_service_ids": ["x"]}))
    assert SlotSet("district", "Braintree") in events
    assert FollowupAction("signpost_form") in events
    assert "isn't working" not in texts(d)


def test_no_i_meant_epping_corrects_the_place_even_when_read_as_no(directory):
    d, events = run(CA.ActionRiskAnswer(), tracker(
        "no, I meant Epping", "deny", {"need": "weight", "district": "Harlow", "age": "40"}))
    assert SlotSet("district", "Epping Forest") in events
    assert FollowupAction("signpost_form") in events


def test_actually_im_58_corrects_the_age_when_not_understood(directory):
    d, events = run(A.ActionFallback(), tracker(
        "actually I'm 58", "nlu_fallback", {"need": "weight", "district": "Harlow",
                                            "age": "38"}))
    assert SlotSet("age", "58") in events


def test_ok_after_results_is_acknowledged(directory):
    d, _ = run(CA.ActionRiskAnswer(), tracker(
        "ok", "affirm", {"need": "weight", "shown_service_ids": ["x"]}))
    assert "anything else" in texts(d)


def test_form_takes_a_place_correction_while_asking_the_age(directory):
    form = A.ValidateSignpostForm()
    t = tracker("no wait sorry, Harlow, I moved last month", "mental_wellbeing",
                {"need": "weight", "district": "Epping Forest", "requested_slot": "age"})
    assert not form._skip(t)  # an answer, even though it reads like another need
    import asyncio
    district = asyncio.run(form.extract_district(None, t, {}))
    age = asyncio.run(form.extract_age(None, t, {}))
    assert district["district"] == "Harlow"
    assert age == {}  # not "rather not say": the age question is asked again


def test_a_relatives_need_is_worded_for_them(directory):
    _, events = run(A.ActionSetNeed(), tracker(
        "my dad keeps falling at home and lives on his own in Maldon", "independent_living"))
    assert SlotSet("for_whom", "dad") in events
    d, _ = run(A.ActionAskDistrict(), tracker("", "", {"for_whom": "dad",
                                                      "district": "Maldon"}))
    d, _ = run(A.ActionAskAge(), tracker("", "", {"for_whom": "dad"}))
    assert "how old is he" in texts(d)
    d, _ = run(A.ActionShowServices(), tracker(
        "", "inform", {"need": "independent_living", "district": "Maldon", "age": "84",
                       "for_whom": "dad"}))
    assert "help your dad with" in d.messages[0]["text"]


def test_a_carer_asking_about_their_husband_is_asking_for_themselves(directory):
    _, events = run(A.ActionSetNeed(), tracker(
        "I look after my husband who has Parkinson's and I never get a break",
        "carer_support"))
    assert SlotSet("for_whom", "self") in events


def _risk_check_tracker(events: list) -> Tracker:
    latest = {"text": "would somebody come to the house?", "message_id": "m2",
              "intent": {"name": "risk_check", "confidence": 1.0},
              "intent_ranking": [{"name": "risk_check", "confidence": 1.0},
                                 {"name": "service_question", "confidence": 0.7}],
              "risk": {"tier": "unclear", "concepts": [], "mentioned": []}, "entities": []}
    return Tracker("t9", {"risk_tier": "unclear", "shown_service_ids": ["x"]}, latest,
                   events, False, None, {}, "action_listen")


def test_the_question_is_not_asked_twice_on_the_classifier_alone(directory):
    earlier = [{"event": "user", "text": "since my husband passed..."},
               {"event": "action", "name": "action_risk_question"},
               {"event": "action", "name": "action_listen"},
               {"event": "user", "text": "would somebody come to the house?"}]
    d, events = run(CA.ActionRiskQuestion(), _risk_check_tracker(earlier))
    assert "116 123" in texts(d) and "Are you having thoughts" not in texts(d)
    assert FollowupAction("action_service_question") in events
    # The first time, the question is asked.
    d, _ = run(CA.ActionRiskQuestion(), _risk_check_tracker(earlier[-1:]))
    assert "Are you having thoughts" in texts(d)


def test_a_correction_misread_as_another_need_keeps_the_need(directory):
    t = tracker("sorry, it's for my dad, he's 80, I'm just typing it for him",
                "diabetes_prevention",
                {"need": "loneliness", "district": "Southend-on-Sea", "age": "34",
                 "shown_service_ids": ["x"]})
    t.latest_message["intent"]["confidence"] = 0.7
    _, events = run(A.ActionSetNeed(), t)
    assert SlotSet("need", "diabetes_prevention") not in events
    assert SlotSet("age", "80") in events and SlotSet("for_whom", "dad") in events
    assert FollowupAction("signpost_form") in events  # loneliness services, for him


def test_a_question_not_understood_after_results_is_answered_as_one(directory):
    _, events = run(A.ActionFallback(), tracker(
        "Do they charge for this? I am on my pension only.", "nlu_fallback",
        {"need": "loneliness", "shown_service_ids": ["x"]}))
    assert FollowupAction("action_service_question") in events
    _, events = run(A.ActionClarifyNeed(), tracker(
        "any that meet in Benfleet?", "clarify_need",
        {"need": "mental_wellbeing", "shown_service_ids": ["x"]},
        parse={"need_choices": ["loneliness", "drugs"]}))
    assert FollowupAction("action_service_question") in events


def test_after_crisis_lines_not_wanting_to_call_gets_a_way_to_text(directory):
    for action, intent in ((A.ActionSetNeed(), "workplace_wellbeing"),
                           (CA.ActionRiskAnswer(), "deny"), (A.ActionFallback(), "nlu_fallback")):
        d, events = run(action, tracker("i dont want to ring anyone", intent,
                                        {"risk_tier": "crisis", "need": "workplace_wellbeing"}))
        assert "85258" in texts(d) and "999" in texts(d), action
        assert FollowupAction("signpost_form") not in events
    # Without a crisis response before, it is an ordinary message.
    d, _ = run(CA.ActionRiskAnswer(), tracker("i dont want to ring anyone", "deny"))
    assert "85258" not in texts(d)


def test_grief_alone_is_met_kindly_then_a_town_finds_loneliness_support(directory):
    d, events = run(F.ActionOtherHelp(), tracker(
        "My husband passed away in March and the days are very long", "out_of_scope"))
    assert "sorry for your loss" in texts(d) and "Cruse" in texts(d)
    assert SlotSet("other_topics", ["bereavement"]) in events
    d, events = run(A.ActionSetNeed(), tracker(
        "I live in Clacton. I am eighty four.", "inform", {"other_topics": ["bereavement"]}))
    assert SlotSet("need", "loneliness") in events and SlotSet("age", "84") in events
    assert FollowupAction("signpost_form") in events


def test_a_new_topic_after_services_goes_to_other_help_not_the_same_cards(directory):
    """A link worker, after alcohol services: "what about for the bereavement" asks for grief
    support, not a description of the alcohol services again."""
    shown = shown_for("alcohol", "Harlow", 67)
    slots = {"need": "alcohol", "shown_service_ids": [s.id for s in shown]}
    d, events = run(F.ActionServiceQuestion(), tracker(
        "what about for the bereavement", "service_question", slots))
    assert events == [FollowupAction("action_other_help")] and not d.messages
    d, events = run(F.ActionServiceQuestion(), tracker(
        "what about the first one", "service_question", slots))
    assert d.messages and events != [FollowupAction("action_other_help")]
