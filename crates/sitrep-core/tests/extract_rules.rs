//! Extraction rules, one sentence (or short article) each, written for these tests: every
//! trigger family, number form, date form and non-event form, with the record expected.

use sitrep_core::model::Event;
use sitrep_core::read::{read_bytes, ReadOptions};
use sitrep_core::Article;

/// The events the embedded knowledge extracts (before geocoding).
fn extract(a: &Article) -> Vec<Event> {
    sitrep_core::Knowledge::builtin().extractor(Default::default()).extract(a)
}

fn article(body: &str, published: Option<&str>) -> Article {
    let text = format!("Headline\n\n{body}\n");
    let mut out = None;
    read_bytes("t.txt", text.as_bytes(), &ReadOptions::default(), &mut |r| out = Some(r.expect("reads")));
    let mut a = out.expect("one article");
    if let Some(p) = published {
        a.published = Some(sitrep_core::Published { date: chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d").unwrap(), time: None });
    }
    a
}

fn events(body: &str) -> Vec<Event> {
    extract(&article(body, None))
}

fn one(body: &str) -> Event {
    let e = events(body);
    assert_eq!(e.len(), 1, "expected one event from {body:?}, got {:#?}", e.iter().map(describe).collect::<Vec<_>>());
    e.into_iter().next().unwrap()
}

fn describe(e: &Event) -> String {
    sitrep_core::eval::events::describe(e)
}

fn actors(e: &Event) -> (String, String) {
    let n = |a: &Option<sitrep_core::model::EventActor>| a.as_ref().map_or("-".to_string(), |a| a.name.clone());
    (n(&e.actor1), n(&e.actor2))
}

// --- trigger families ---------------------------------------------------------------------

#[test]
fn capture_by_a_non_state_actor() {
    let e = one("Islamic State fighters captured the village of Tal Shaeer from the Syrian army on Monday.");
    assert_eq!((e.event_type.as_str(), e.sub_event_type.as_str()), ("Battles", "Non-state actor overtakes territory"));
    assert_eq!(actors(&e), ("Islamic State".into(), "Syrian government forces".into()));
    assert_eq!(e.location.as_deref(), Some("Tal Shaeer"));
    assert_eq!(e.weekday.as_deref(), Some("Monday"));
    assert!(e.territory_change);
}

#[test]
fn government_regains_territory() {
    let e = one("Syrian government forces recaptured the town of Qaryatayn from Daesh on Sunday, state media said.");
    assert_eq!(e.sub_event_type, "Government regains territory");
    assert_eq!(actors(&e), ("Syrian government forces".into(), "Islamic State".into()));
}

#[test]
fn fell_to_names_the_taker_after_it() {
    let e = one("The district of Maskana fell to the YPG on Friday after heavy fighting.");
    assert_eq!(e.sub_event_type, "Non-state actor overtakes territory");
    assert_eq!(actors(&e).0, "People's Protection Units");
}

#[test]
fn armed_clash_between_two_actors() {
    let e = one("Clashes broke out on Tuesday between the Nusra Front and Ahrar al-Sham in the town of Saraqeb.");
    assert_eq!(e.sub_event_type, "Armed clash");
    assert_eq!(actors(&e), ("Nusra Front".into(), "Ahrar al-Sham".into()));
    assert_eq!(e.location.as_deref(), Some("Saraqeb"));
}

#[test]
fn shelling_kills_and_wounds_civilians() {
    let e = one("At least seven civilians were killed and 11 others were wounded in rebel shelling on the village of Nubl on Thursday.");
    assert_eq!((e.event_type.as_str(), e.sub_event_type.as_str()), ("Explosions/Remote violence", "Shelling/artillery/missile attack"));
    assert_eq!(actors(&e), ("Syrian rebels".into(), "Civilians".into()));
    assert_eq!((e.fatalities, e.injured), (7, Some(11)));
    assert_eq!(e.fatalities_bound.as_str(), "at_least");
}

#[test]
fn air_strikes() {
    let e = one("Russian warplanes struck the town of Maarat al-Numan on Wednesday, killing 12 people.");
    assert_eq!(e.sub_event_type, "Air/drone strike");
    assert_eq!(actors(&e).0, "Russia");
    assert_eq!(e.fatalities, 12);
    let e = one("Barrel bombs dropped by regime helicopters hit the Daraya neighbourhood of Damascus.");
    assert_eq!(e.sub_event_type, "Air/drone strike");
}

#[test]
fn car_bombs_and_suicide_bombers() {
    let e = one("A car bomb exploded near a checkpoint in Azaz on Saturday, killing more than 20 people.");
    assert_eq!(e.sub_event_type, "Remote explosive/landmine/IED");
    assert_eq!((e.fatalities, e.fatalities_bound.as_str()), (20, "at_least"));
    let e = one("A suicide bomber blew himself up at a Kurdish checkpoint in Qamishli on Monday.");
    assert_eq!(e.sub_event_type, "Suicide bomb");
    assert_eq!(e.fatalities, 0);
}

#[test]
fn violence_against_civilians() {
    let e = one("ISIS militants executed five civilians in the town of Mayadin on Friday.");
    assert_eq!((e.event_type.as_str(), e.sub_event_type.as_str()), ("Violence against civilians", "Attack"));
    assert_eq!(actors(&e), ("Islamic State".into(), "Civilians".into()));
    assert_eq!(e.fatalities, 5);
    let e = one("Unidentified gunmen abducted two aid workers near Idlib on Sunday.");
    assert_eq!(e.sub_event_type, "Abduction/forced disappearance");
}

#[test]
fn protests_and_strategic_developments() {
    let e = one("Hundreds of residents protested in the city of Douma on Friday against the siege.");
    assert_eq!((e.event_type.as_str(), e.sub_event_type.as_str()), ("Protests", "Peaceful protest"));
    let e = one("Security forces arrested ten people in the town of Jableh on Monday.");
    assert_eq!((e.event_type.as_str(), e.sub_event_type.as_str()), ("Strategic developments", "Arrests"));
}

#[test]
fn every_record_has_a_cameo_code_and_evidence() {
    for e in events("Rebels captured the town of Kafr Nabl on Monday. Government warplanes struck the town of Ariha on Tuesday.") {
        assert!(!e.cameo.is_empty());
        assert_eq!(e.evidence.len(), 1);
        assert!(e.notes.starts_with(&e.evidence[0].text[..10]));
    }
}

// --- numbers ------------------------------------------------------------------------------

#[test]
fn number_forms_and_acled_conventions() {
    assert_eq!(one("Shelling killed seven people in the town of Jisr al-Shughur on Monday.").fatalities, 7);
    assert_eq!(one("Dozens were killed in clashes in the town of Sheikh Maskin on Monday.").fatalities, 12);
    let e = one("Regime shelling killed tens of civilians in the village of Kafr Zita.");
    assert_eq!((e.fatalities, e.fatalities_bound.as_str()), (10, "at_least"));
    assert_eq!(one("Hundreds were killed in fighting for the town of Morek.").fatalities, 100);
    assert_eq!(one("Air strikes killed about 30 fighters near the town of Tabqa.").fatalities_bound.as_str(), "about");
    // Deaths without a figure: ACLED's 3, or 10 for a significant attack.
    let e = one("Clashes in the town of Harasta killed several fighters on Monday.");
    assert_eq!(e.fatalities, 3);
    let e = one("A car bomb in the town of Jarablus killed and wounded people on Monday.");
    assert_eq!((e.fatalities, e.fatalities_bound.as_str()), (10, "unstated"));
    // Injuries without deaths: no fatalities, injuries kept.
    let e = one("Mortar fire wounded four people in the town of Jaramana on Sunday.");
    assert_eq!((e.fatalities, e.injured), (0, Some(4)));
}

#[test]
fn deaths_by_side_are_summed() {
    let e = one("At least 17 Nusra Front militants were killed in clashes with ISIS in the town of Arsal on Tuesday, and 12 ISIS militants were killed too.");
    assert_eq!(e.fatalities, 29);
    assert_eq!(e.fatalities_by_actor.len(), 2);
}

// --- dates --------------------------------------------------------------------------------

#[test]
fn dates_resolve_against_publication() {
    let a = article("Rebels captured the village of Tal Rifaat on Saturday, activists said.", Some("2016-05-30"));
    let e = &extract(&a)[0];
    assert_eq!(e.event_date.map(|d| d.to_string()).as_deref(), Some("2016-05-28"));
    assert_eq!(e.time_precision, 1);
    let a = article("ISIS shelled the town of Azaz yesterday.", Some("2016-05-30"));
    assert_eq!(extract(&a)[0].event_date.map(|d| d.to_string()).as_deref(), Some("2016-05-29"));
    let a = article("Government forces captured the town of Salma on (May 28).", None);
    assert_eq!(extract(&a)[0].event_date, None, "no year and no publication date: never invented");
    let a = article("Government forces captured the town of Salma on 28/5/2016.", None);
    assert_eq!(extract(&a)[0].event_date.map(|d| d.to_string()).as_deref(), Some("2016-05-28"));
}

#[test]
fn weekdays_stay_weekdays_without_publication() {
    let e = one("Clashes erupted in the town of Tadef on Tuesday evening.");
    assert_eq!((e.event_date, e.weekday.as_deref()), (None, Some("Tuesday")));
}

#[test]
fn spans_of_days_have_week_precision() {
    let e = one("Over the past few days, fierce battles raged in the town of Deir Hafer.");
    assert_eq!(e.time_precision, 2);
}

#[test]
fn later_sentences_inherit_the_date() {
    let e = events("Clashes broke out on Thursday in the town of Tal Abyad. Rebels then captured the village of Suluk.");
    assert!(e.iter().all(|e| e.weekday.as_deref() == Some("Thursday")), "{:#?}", e.iter().map(describe).collect::<Vec<_>>());
}

// --- what is not an event -----------------------------------------------------------------

#[test]
fn intentions_threats_and_futures_are_not_events() {
    assert!(events("The army is preparing to storm the town of Manbij.").is_empty());
    assert!(events("ISIS will attack the town of Marea, a source said.").is_empty());
    assert!(events("Rebels threatened to shell the city of Latakia.").is_empty());
}

#[test]
fn denials_conditionals_and_questions_are_not_events() {
    assert!(events("The army denied that clashes took place in the town of Hama.").is_empty());
    assert!(events("If rebels capture the town of Suran, the road will be cut.").is_empty());
    assert!(events("Did rebels shell the town of Mhardeh?").is_empty());
}

#[test]
fn background_and_summaries_are_not_events() {
    assert!(events("In 2015, rebels captured the town of Jisr al-Shughur.").is_empty());
    assert!(events("This comes after ISIS lost several areas in clashes with the SDF.").is_empty());
    assert!(events("ISIS has been battling rebel factions since late last year.").is_empty());
}

#[test]
fn the_wars_toll_is_not_an_event_nor_its_casualties() {
    for s in [
        "More than 280,000 people have been killed in Syria since the war began with anti-government protests.",
        "Aleppo has been devastated by some of the heaviest fighting of the civil war, which has killed more than 300,000 people.",
        "More than 210,000 people have died in the Syrian conflict, the Observatory has estimated.",
        "Since then hundreds of thousands of people have been killed in the fighting.",
        "Since Sept. 19 at least 359 civilians have been killed by airstrikes on Aleppo, according to civil defence officials.",
    ] {
        assert!(events(s).is_empty(), "{s}: {:#?}", events(s).iter().map(describe).collect::<Vec<_>>());
    }
    // The news beside it keeps its own toll.
    let e = one(
        "Regime air strikes killed 12 civilians in the town of Saraqeb on Monday. The war has killed more than 300,000 people since 2011.",
    );
    assert_eq!(e.fatalities, 12);
}

#[test]
fn support_phrases_are_not_events() {
    let e = events("Backed by Russian air strikes, the Syrian army attacked rebel positions in the town of Kafr Zita.");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].event_type, "Battles");
}

#[test]
fn reported_speech_of_what_happened_is_an_event() {
    let e = one("Hussein reported that ISIS repelled an attack by the Nusra Front in the town of Arsal.");
    assert_eq!(e.sub_event_type, "Armed clash");
}

// --- actors -------------------------------------------------------------------------------

#[test]
fn generic_mentions_resolve_to_the_last_named_group() {
    let e = events("ISIS fighters entered the town of Marea on Monday. Later the radical group shelled the village of Kafr Kalbin.");
    let shelling = e.iter().find(|e| e.event_type == "Explosions/Remote violence").expect("shelling");
    assert_eq!(actors(shelling).0, "Islamic State");
}

#[test]
fn mentions_of_one_event_merge() {
    let e = events("Clashes broke out on Monday between rebels and ISIS near Aleppo. ISIS later captured the town of Dabiq. The clashes continued until midnight.");
    assert_eq!(e.len(), 1, "{:#?}", e.iter().map(describe).collect::<Vec<_>>());
    assert_eq!(e[0].location.as_deref(), Some("Dabiq"));
    assert_eq!(e[0].evidence.len(), 3);
}

#[test]
fn a_capture_reversed_the_same_day_is_a_clash() {
    let e = one("ISIS seized the village of Ihras on Wednesday, but rebels regained it a few hours later.");
    assert_eq!(e.sub_event_type, "Armed clash");
    assert!(!e.territory_change);
}

#[test]
fn evidence_points_into_the_original_text() {
    let a = article("“Rebels shelled the town of Nubl on Sunday,” a resident said.", None);
    for e in extract(&a) {
        for ev in &e.evidence {
            assert_eq!(&a.text[ev.byte_start..ev.byte_end], ev.text);
            assert_eq!(a.text.chars().skip(ev.start).take(ev.end - ev.start).collect::<String>(), ev.text);
        }
    }
}

#[test]
fn a_multi_day_offensive_is_one_event_per_day() {
    let e = events("Government forces shelled the town of Kafr Nabudah on Monday and Tuesday, activists said.");
    assert_eq!(e.len(), 2, "{:#?}", e.iter().map(describe).collect::<Vec<_>>());
    let days: Vec<_> = e.iter().map(|e| e.weekday.clone().unwrap()).collect();
    assert_eq!(days, vec!["Monday", "Tuesday"]);
}

// --- the main event -------------------------------------------------------------------------

#[test]
fn the_main_event_is_recent_news_not_background() {
    // The precise but months-old capture is background; the article's news is the killing
    // near Deir ez-Zor this week.
    let a = article(
        "The group has made rapid gains since it seized the northern Iraqi city of Mosul on June 10. \
         Islamic State fighters executed 19 men on Thursday on the outskirts of Deir ez-Zor city.",
        Some("2014-08-11"),
    );
    let events = sitrep_core::events_of(&a);
    assert!(!events.is_empty(), "{:#?}", events.iter().map(describe).collect::<Vec<_>>());
    let main = sitrep_core::main_event(&a, &events, sitrep_core::Knowledge::builtin()).expect("a main event");
    assert_eq!(main.admin1.as_deref(), Some("Deir ez Zor"), "{}", describe(main));
}

#[test]
fn the_main_event_is_the_one_the_headline_reports() {
    // The headline's toll and type pick the event, even when another is told first.
    let mut a = article(
        "Government warplanes struck the town of Saraqib on Monday, wounding five people. \
         A suicide bomber killed 16 people at a checkpoint in Hasakah on Tuesday, the Observatory said.",
        Some("2016-07-27"),
    );
    a.title = Some("Suicide bomber kills 16 in Syria".into());
    let events = sitrep_core::events_of(&a);
    let main = sitrep_core::main_event(&a, &events, sitrep_core::Knowledge::builtin()).expect("a main event");
    assert_eq!(main.fatalities, 16, "{}", describe(main));
}

// --- merging mentions -----------------------------------------------------------------------

#[test]
fn an_undated_report_does_not_take_the_date_of_a_weeks_old_mention() {
    let a = article(
        "At least 45 people have been killed in a US airstrike in the city of Raqqa. \
         In letters sent on August 24, the ministry said the coalition was killing civilians through aerial bombardment of Raqqa.",
        Some("2017-10-03"),
    );
    let evs = extract(&a);
    let first = evs.iter().find(|e| e.fatalities == 45).unwrap_or_else(|| panic!("{:#?}", evs.iter().map(describe).collect::<Vec<_>>()));
    assert_ne!(first.event_date, chrono::NaiveDate::from_ymd_opt(2017, 8, 24), "{}", describe(first));
    assert_eq!(first.evidence.len(), 1, "{}", describe(first));
}

#[test]
fn a_toll_told_twice_counts_once() {
    // The headline's "31 dead" and the body's "killed 31 people" are the same 31.
    let e = one("Syrian government shelling of the town of Jayrud on Saturday killed 31 people, among 31 dead in the reprisal.");
    assert_eq!(e.fatalities, 31, "{}", describe(&e));
    // Named sides add up, and so do victims of no side beside them.
    let e = one("Shelling of the town of Jayrud on Saturday killed 3 civilians and 4 rebels.");
    assert_eq!(e.fatalities, 7, "{}", describe(&e));
    let e = one("The fighting in the town of Jayrud on Saturday killed at least 27 civilians as well as 41 combatants.");
    assert_eq!(e.fatalities, 68, "{}", describe(&e));
}

// --- roles, crowds, places in brackets (mechanisms, each tried on invented sentences) -----

#[test]
fn the_names_in_brackets_after_a_place_are_its_areas() {
    let e =
        one("On 14 July 2020, an unidentified person threw a hand grenade into a cafe in Sarmada (Harim, Idleb), wounding five civilians.");
    assert_eq!(e.sub_event_type, "Grenade");
    assert_eq!(e.location.as_deref(), Some("Sarmada"));
    assert_eq!(actors(&e).0, "Unidentified armed group");
    assert_eq!((e.fatalities, e.injured), (0, Some(5)));
}

#[test]
fn the_crowd_of_a_protest_has_its_role_whatever_the_word_order() {
    let e = one("Police fired tear gas to disperse hundreds of protesters in Sweida on Friday.");
    assert_eq!(e.sub_event_type, "Protest with intervention");
    assert_eq!(actors(&e), ("Protesters (Syria)".into(), "Police Forces of Syria".into()));
    let e = one("Security forces opened fire on demonstrators in Daraa on Friday, killing three.");
    assert_eq!(e.sub_event_type, "Excessive force against protesters");
    assert_eq!(actors(&e), ("Police Forces of Syria".into(), "Protesters (Syria)".into()));
    // A crowd no word names is still the protest's.
    let e = one("Thousands protested in Saraqib on Friday against the offensive.");
    assert_eq!(actors(&e).0, "Protesters (Syria)");
}

#[test]
fn a_foreign_adjective_does_not_move_a_syrian_story_abroad() {
    let e = one("Crowds attacked Turkish lorries and tore down Turkish flags in Azaz on Monday.");
    assert_eq!(actors(&e).0, "Rioters (Syria)");
}

#[test]
fn an_adjective_and_a_weapon_name_the_state_that_struck() {
    let e = one("A Turkish drone struck a car near Qamishli on Friday, killing two members of the Asayish.");
    assert_eq!(e.sub_event_type, "Air/drone strike");
    assert_eq!(actors(&e).0, "Turkey");
    assert_eq!(e.fatalities, 2);
}

#[test]
fn one_victim_in_the_singular_is_one() {
    assert_eq!(one("Unknown gunmen shot dead a teacher in Nawa on Monday.").fatalities, 1);
    assert_eq!(one("A grenade killed a 25-year-old woman in Afrin on Tuesday.").fatalities, 1);
}

#[test]
fn the_subject_after_a_fronted_clause_is_the_doer() {
    let e = one("Stepping up its airstrikes on Idlib, Moscow said on Tuesday its jets had carried out 88 sorties.");
    assert_eq!(actors(&e).0, "Russia");
}

#[test]
fn a_strike_on_a_hospital_targets_civilians() {
    let e = one("Warplanes struck a hospital in Kafr Nabl on Sunday.");
    assert_eq!(e.sub_event_type, "Air/drone strike");
    assert_eq!(actors(&e).1, "Civilians");
}

#[test]
fn civilians_as_the_object_of_the_act_are_its_target() {
    // After the trigger, or before it in the passive voice; an armed party named there instead
    // is no civilian, and what follows a preposition is no object.
    for (s, a2) in [
        ("Security forces detained a journalist in Homs on Tuesday.", "Civilians"),
        ("Two men were arrested by police in Jaramana on Sunday.", "Civilians"),
        ("Gunmen abducted three farmers near Salamiyah on Monday.", "Civilians"),
    ] {
        let e = one(s);
        assert_eq!(actors(&e).1, a2, "{s}: {}", describe(&e));
    }
    let e = one("Security forces detained a Nusra Front commander in Homs on Tuesday.");
    assert_ne!(actors(&e).1, "Civilians", "{}", describe(&e));
}

#[test]
fn shelling_called_terrorist_is_not_the_armys() {
    // State media's "terrorist" never names the army: unnamed, the opposition fired.
    let e = one("On Sunday, terrorist attacks killed a woman in the Hasaka city centre.");
    assert_eq!(e.sub_event_type, "Shelling/artillery/missile attack", "{}", describe(&e));
    assert_eq!(actors(&e).0, "Syrian rebels", "{}", describe(&e));
    // Shelling nobody is named for is still the army's.
    let e = one("Shells killed a woman in the Hasaka city centre on Sunday.");
    assert_eq!(actors(&e).0, "Syrian government forces", "{}", describe(&e));
}

#[test]
fn an_informant_is_no_party() {
    // The source of what is told is neither side: the shells' firers are not named.
    let e = one("A source at the Aleppo Police Command told SANA that three shells fell in the Sulaimaniyeh neighbourhood on Monday, killing 3 children.");
    assert_ne!(actors(&e).0, "Police Forces of Syria", "{}", describe(&e));
    let e = one("According to the Syrian army, rebels shelled the Sulaimaniyeh neighbourhood on Monday, killing 3 children.");
    assert_eq!(actors(&e).0, "Syrian rebels", "{}", describe(&e));
    // A party's media tell; the army took the areas.
    let e = one("A television channel run by Lebanese group Hezbollah reported on Tuesday that the Syrian army had taken control of areas north of Aleppo.");
    assert_eq!(actors(&e).0, "Syrian government forces", "{}", describe(&e));
}

#[test]
fn a_city_named_after_its_governorate_is_not_put_in_the_one_near_it() {
    // (Geocoded: the place the text puts it near is Aleppo.)
    let body = "Activists said civilians were killed as US aircraft hit a residential building in the city of Idlib near Aleppo on Monday.";
    let e = sitrep_core::events_of(&article(body, None));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].admin1.as_deref(), Some("Idleb"), "{}", describe(&e[0]));
}

#[test]
fn a_toll_told_over_several_places_gives_way_to_each_places_own() {
    let body = "At least 42 people were killed on Monday in bomb blasts that hit Tartous, Homs and Hasakeh. In Tartous, 30 people were killed in a double bomb attack on Monday.";
    let e = events(body);
    let toll = |place: &str| e.iter().find(|e| e.location.as_deref() == Some(place)).map(|e| e.fatalities);
    assert_eq!(toll("Tartous"), Some(30), "{:#?}", e.iter().map(describe).collect::<Vec<_>>());
    // The total is nobody's toll but the first place's while no place's own is told.
    let e = events("At least 42 people were killed on Monday in bomb blasts that hit Tartous, Homs and Hasakeh.");
    let tolls: Vec<u32> = e.iter().map(|e| e.fatalities).collect();
    assert_eq!(tolls, vec![42, 0, 0], "{:#?}", e.iter().map(describe).collect::<Vec<_>>());
}

#[test]
fn a_killing_told_by_its_manner_is_an_attack() {
    for body in [
        "Islamic State militants stoned two women to death in Raqqa on Monday.",
        "Two women were stoned to death by Islamic State in Raqqa on Monday.",
    ] {
        let e = one(body);
        assert_eq!(e.sub_event_type, "Attack", "{}", describe(&e));
        assert_eq!(actors(&e), ("Islamic State".to_string(), "Civilians".to_string()), "{}", describe(&e));
        assert_eq!(e.fatalities, 2, "{}", describe(&e));
    }
    // "stoned" alone is no killing.
    assert!(events("At some point people sympathize with the stoned target of the crowd on Monday.")
        .iter()
        .all(|e| e.sub_event_type != "Attack"));
}

#[test]
fn people_seized_are_abducted_not_territory_taken() {
    let e = one("Nusra Front fighters seized 45 Fijian UN peacekeepers near the Quneitra crossing on Thursday.");
    assert_eq!(e.sub_event_type, "Abduction/forced disappearance", "{}", describe(&e));
    assert!(!e.territory_change, "{}", describe(&e));
    // A place seized, or a place seized by fighters, is still territory.
    for body in ["Rebels captured the town of Morek on Thursday.", "The base was seized by fighters from the Islamic State on Thursday."] {
        let e = one(body);
        assert_eq!(e.sub_event_type, "Non-state actor overtakes territory", "{}", describe(&e));
    }
    // A captured pilot named as such was seized before: no abduction is told.
    assert!(events("Militants killed a captured regime pilot near Jayrud on Friday.")
        .iter()
        .all(|e| e.sub_event_type != "Abduction/forced disappearance"));
}

#[test]
fn who_gives_a_place_up_is_acted_on_by_who_takes_it() {
    let e = one("Opposition fighters in Tafas handed over the town to government forces on Sunday.");
    assert_eq!(actors(&e), ("Syrian government forces".to_string(), "Syrian rebels".to_string()), "{}", describe(&e));
    // With no one named to take it, the withdrawal is the withdrawer's own act.
    let e = one("Rebels withdrew from Morek on Friday.");
    assert_eq!(actors(&e).0, "Syrian rebels", "{}", describe(&e));
}

#[test]
fn hezbollah_al_nujaba_is_the_iraqi_movement_not_lebanese_hezbollah() {
    let e = one("Hezbollah al-Nujaba fighters clashed with Nusra Front militants at Khan Touman on Friday, leaving 23 dead.");
    assert_eq!(actors(&e).0, "Harakat al Nujaba", "{}", describe(&e));
}

#[test]
fn a_party_named_as_acted_on_is_no_doer() {
    // The holder of a place is struck, not striking: an air strike nobody is named for.
    let e = one("On Friday, 10 civilians were killed in an air strike on a rebel town in Aleppo province, and at least 10 civilians were killed in air strikes on the rebel-held town of Atareb.");
    assert_eq!(actors(&e).0, "Syrian government forces", "{}", describe(&e));
    // The victims of a count are the ones acted on, with no other party named.
    let e = one("On Monday, 17 rebels were killed in clashes in Daraa.");
    assert_eq!(actors(&e), ("Syrian government forces".to_string(), "Syrian rebels".to_string()), "{}", describe(&e));
    let e = one("Heavy losses among the rebels during clashes in the al-Mallah area north of Aleppo on Monday.");
    assert_eq!(actors(&e).1, "Syrian rebels", "{}", describe(&e));
    // A party that acts is still the doer, and its victims the target.
    let e = one("Rebels killed 17 soldiers in an ambush near Daraa on Monday.");
    assert_eq!(actors(&e), ("Syrian rebels".to_string(), "Syrian government forces".to_string()), "{}", describe(&e));
    // A party named after a by-phrase in the victims' words is the doer, not a victim.
    let e = one("On Monday, 13 civilians were killed by warplanes of the regime in Idlib countryside.");
    assert_eq!(actors(&e), ("Syrian government forces".to_string(), "Civilians".to_string()), "{}", describe(&e));
    // "held" as a verb says nothing of a place.
    let e = one("On Tuesday, HTS held the hill and shelled regime positions near Kafr Nabuda.");
    assert_eq!(actors(&e).0, "Hayat Tahrir al-Sham", "{}", describe(&e));
}

#[test]
fn a_doer_left_unnamed_is_the_one_the_article_named_for_such_acts() {
    let body = "Rebels shelled the Midan district of Aleppo on Monday, killing two children. On Tuesday, shells killed a woman in the Sulaimaniyeh neighbourhood of Aleppo.";
    let e = events(body);
    assert_eq!(e.len(), 2, "{:#?}", e.iter().map(describe).collect::<Vec<_>>());
    assert_eq!(actors(&e[1]).0, "Syrian rebels", "{}", describe(&e[1]));
    // Only a doer named before: told first, the unnamed shelling keeps its default.
    let body = "On Tuesday, shells killed a woman in the Sulaimaniyeh neighbourhood of Aleppo. Rebels shelled the Midan district of Aleppo on Monday, killing two children.";
    let e = events(body);
    assert_eq!(actors(&e[0]).0, "Syrian government forces", "{}", describe(&e[0]));
}

#[test]
fn the_doer_named_by_its_act() {
    let e = one("Two civilians were wounded in Aleppo on Monday in terrorist attacks with shells on the Midan neighbourhood.");
    assert_eq!(actors(&e).0, "Syrian rebels");
}

#[test]
fn a_dateline_capital_names_the_country_and_no_syrian_namesake_is_its_place() {
    // Nairobi is Kenya's (data/countries.tsv `places`): the police are Kenya's, and Kisumu's
    // quarters are not looked up in a gazetteer of Syria.
    let a = article("NAIROBI - Police officers raided homes in the Nyalenda slum of Kisumu on Saturday night and beat at least three women, residents said.", None);
    let es = sitrep_core::events_of(&a);
    assert!(!es.is_empty());
    for e in &es {
        assert_eq!(actors(e).0, "Police Forces of Kenya", "{}", describe(e));
        assert_eq!(e.country.as_deref(), Some("KE"));
        assert!(e.latitude.is_none() && e.admin1.is_none(), "{}", describe(e));
    }
    // A Syrian story naming a foreign force is still placed in Syria.
    let a =
        article("Russian forces established a military post in Ain Issa on Thursday, after government troops deployed in the area.", None);
    let es = sitrep_core::events_of(&a);
    assert!(es.iter().any(|e| e.admin1.as_deref() == Some("Ar-Raqqa")), "{:?}", es.iter().map(describe).collect::<Vec<_>>());
}

#[test]
fn armed_groups_of_the_war_and_of_other_wars_by_their_names() {
    assert_eq!(
        actors(&one("Pro-government militiamen stormed the village of Tal Sheer on Monday and killed four civilians.")).0,
        "NDF: National Defence Forces"
    );
    assert_eq!(
        actors(&one("Turkish-backed Syrian National Army fighters shelled the village of Tal Rifaat on Monday.")).0,
        "Syrian National Army"
    );
    assert_eq!(actors(&one("Houthi rebels fired a ballistic missile at Jizan on Sunday, killing one man.")).0, "Houthi Movement");
}

#[test]
fn allies_named_together_before_a_one_sided_act_the_first_acts() {
    // Of different sides in the dictionary, but allies in the act: a capture, a shelling.
    let e = one("Malian troops and Wagner fighters captured the town of Kidal on Tuesday.");
    assert_eq!(actors(&e).0, "Military Forces of Mali");
    let e = one("On 27 February 2020, HTS and NFL fighters shelled regime positions in Kafr Nabl with heavy artillery.");
    assert_eq!(actors(&e).0, "Hayat Tahrir al-Sham");
}

#[test]
fn a_person_or_a_people_is_not_a_place() {
    // One capitalised run is one name: a person's, however many villages share its first word.
    let e = one("Security men of Hayat Tahrir al-Sham detained media activist Ahmad Rahhal at his home in Sarmada on Tuesday.");
    assert_eq!(e.location.as_deref(), Some("Sarmada"));
    let e = one("Regime forces arrested the former intelligence chief Karim Masimov on Thursday.");
    assert_ne!(e.location.as_deref(), Some("Karim"));
    // A people or a language after a cue word is not a place either.
    let e = one("Residents of Kafranbel held their weekly Friday demonstration, raising banners in English.");
    assert_ne!(e.location.as_deref(), Some("English"));
    // The names in brackets after a place are still its areas.
    let e = one("On 19 May 2019, regime forces used chlorine gas in an attack on opposition positions in Kabani (Al-Haffa, Lattakia).");
    assert_eq!(e.location.as_deref(), Some("Kabani"));
    let a = article(
        "On 19 May 2019, regime forces used chlorine gas in an attack on opposition positions in Kabani (Al-Haffa, Lattakia).",
        None,
    );
    assert!(sitrep_core::events_of(&a).iter().all(|e| e.admin1.as_deref() == Some("Lattakia")));
}

#[test]
fn the_doer_named_by_its_means_or_its_act_after_the_trigger() {
    // "by shells of X": X owns the means, so X acts.
    let e = one("Five civilians were killed on Monday in Kafr Nabl by shells of the regime forces.");
    assert_eq!(actors(&e), ("Syrian government forces".into(), "Civilians".into()));
    // An actor named as the act's doer after the trigger, past the victims.
    let e = one("Massacre in al-Sour town raises to about 60 including 28 children and women, the number of casualties of the International Coalition’s bombing on the town.");
    assert_eq!(actors(&e).0, "US-led coalition");
    // One mention is never both sides, and a cue's name does not run on from an actor's.
    let e = one("Massacre south of Al-Raqqah kills 18 persons in a new bombing by warplanes of the International Coalition al-Kasrat area");
    assert_eq!(actors(&e).0, "US-led coalition");
    assert_ne!(actors(&e).1, "US-led coalition");
    assert_eq!(e.location.as_deref(), Some("al-Kasrat"));
    assert_eq!(e.fatalities, 18);
}

// --- roles: objects, pairs, go-betweens, demonyms ------------------------------------------

#[test]
fn the_object_of_an_act_told_before_the_trigger_is_not_its_doer() {
    let e = one("Insurgents killed several soldiers in an ambush on an army convoy near Jisr al-Shughur on Tuesday.");
    assert_eq!(actors(&e), ("Syrian rebels".into(), "Syrian government forces".into()), "{}", describe(&e));
    let e = one("Pro-government forces took back the hill from jihadists after heavy fighting near Khanasser.");
    assert_eq!(actors(&e).0, "Syrian government forces", "{}", describe(&e));
}

#[test]
fn two_parties_named_together_before_a_two_sided_act_are_actor1_and_actor2() {
    let es = events(
        "Opposition fighters and government troops agreed on a truce in the town of Zabadani on Sunday, mediated by Turkey and Iran.",
    );
    assert!(!es.is_empty());
    for e in es {
        assert_eq!(actors(&e), ("Syrian rebels".into(), "Syrian government forces".into()), "{}", describe(&e));
    }
}

#[test]
fn go_betweens_are_no_party() {
    let es = events("The army and the rebels signed a ceasefire in Daraa brokered by Russia.");
    assert!(!es.is_empty());
    for e in es {
        let (a1, a2) = actors(&e);
        assert!(a1 != "Russia" && a2 != "Russia", "{}", describe(&e));
    }
}

#[test]
fn a_country_adjective_before_an_act_noun_names_its_forces() {
    let e = one("Renewed Turkish shelling hit the town of Tal Rifaat, killing three civilians.");
    assert_eq!(actors(&e).0, "Turkey", "{}", describe(&e));
}

#[test]
fn driving_out_is_where_a_learned_event_is_told() {
    // The act word, not a name the typer leans on, places the trigger: the taker is the one
    // named before it.
    let e = one("Daesh has managed to drive out regime troops from the outskirts of Raqqa after a fierce counteroffensive.");
    assert_eq!(actors(&e), ("Islamic State".into(), "Syrian government forces".into()), "{}", describe(&e));
}

#[test]
fn a_strikes_means_decide_air_strike_or_shelling() {
    let e = one("Aerial bombardment hit the town of Saraqib on Monday, killing four people.");
    assert_eq!(e.sub_event_type, "Air/drone strike", "{}", describe(&e));
    let e = one("Turkish artillery struck Kurdish positions on the outskirts of Tal Tamr on Friday.");
    assert_eq!(e.sub_event_type, "Shelling/artillery/missile attack", "{}", describe(&e));
    let e = one("A drone fired two missiles at a car near Sarmada on Friday, killing two men.");
    assert_eq!(e.sub_event_type, "Air/drone strike", "{}", describe(&e));
}

#[test]
fn related_news_furniture_generalities_and_purposes_are_no_events() {
    for s in [
        "01 Related Daesh Terrorists Attack District of Deir Ez-Zor Injuring Four People.",
        "Claims of chemical weapons attacks are not uncommon in the conflict.",
        "Moscow has demanded that the group be disbanded to allow intensified air strikes against it.",
    ] {
        assert!(events(s).is_empty(), "{s}: {:#?}", events(s).iter().map(describe).collect::<Vec<_>>());
    }
}

#[test]
fn words_of_war_in_other_senses_are_no_events() {
    for s in [
        "In their first TV debate on Tuesday, the two candidates attacked each other's policies on health care.",
        "Two months later, he died of natural causes, most likely a heart attack.",
        "The two studios are locked in a price war over streaming subscriptions.",
    ] {
        assert!(events(s).is_empty(), "{s}: {:#?}", events(s).iter().map(describe).collect::<Vec<_>>());
    }
}

#[test]
fn a_quarter_of_a_named_city_is_in_that_city() {
    // Qusour is a quarter of Homs, of Deir ez-Zor and of Damascus: the city the text puts it
    // in decides.
    let es = sitrep_core::events_of(&article(
        "A mortar attack on the al-Qusour district of the eastern city of Deir ez-Zor left three civilians dead.",
        None,
    ));
    assert_eq!(es.len(), 1);
    let e = &es[0];
    assert_eq!(e.admin1.as_deref(), Some("Deir ez Zor"), "{}", describe(e));
}

#[test]
fn names_of_works_are_no_events() {
    // A subtitle after a colon, a sequel's number, a word for a work before the name.
    for s in [
        "The bundle offers Clash of Empires: Dawn Raid 3, Farm Life and Puzzle Quest for free this weekend.",
        "Her favourites are Sky Racer, Final Assault 2, and two older puzzle games.",
        "He spent the weekend replaying the game Siege of Ironhold with his brother.",
    ] {
        assert!(events(s).is_empty(), "{s}: {:#?}", events(s).iter().map(describe).collect::<Vec<_>>());
    }
    // A headline's capitals are no such mark.
    assert_eq!(one("12 Civilians Killed in Regime Shelling on Douma Market.").event_type, "Explosions/Remote violence");
}

#[test]
fn sport_nature_code_and_plans_are_other_senses() {
    for s in [
        "The visitors rallied to beat the champions in the final set on Sunday.",
        "Rangers defeated United 3-1 on Saturday to reach the cup final.",
        "After a week of trying, the rangers managed to capture two stray dogs near the lake.",
        "Disaster struck on Saturday night when the boat overturned in the storm.",
        "The team praised the flawless execution of the new payment system.",
        "Which brings us back to execution.",
    ] {
        assert!(events(s).is_empty(), "{s}: {:#?}", events(s).iter().map(describe).collect::<Vec<_>>());
    }
    // Executions of people stay events.
    assert_eq!(one("Islamic State carried out the public execution of three men in Raqqa on Friday.").sub_event_type, "Attack");
}

#[test]
fn ordinary_crime_is_no_event() {
    for s in [
        "Jon Doe, 41, of Millbrook, was arrested by county police for violating a protective order.",
        "A six-year-old boy who was snatched from a shopping mall was rescued by police on Sunday.",
        "Two masked men shot a cashier during an armed robbery at a petrol station on Friday.",
    ] {
        assert!(events(s).is_empty(), "{s}: {:#?}", events(s).iter().map(describe).collect::<Vec<_>>());
    }
    // In a crime story, an abduction with no armed group is crime too.
    let story = "Police released surveillance footage of the suspect on Monday.\n\nThe man kidnapped the girl outside her school in Riverton on Monday.";
    assert!(events(story).is_empty(), "{:#?}", events(story).iter().map(describe).collect::<Vec<_>>());
    // An armed group's kidnapping is political violence, crime words or not.
    let e =
        events("Police released surveillance footage on Monday.\n\nIslamic State militants kidnapped two aid workers in Raqqa on Monday.");
    assert_eq!(e.len(), 1, "{:#?}", e.iter().map(describe).collect::<Vec<_>>());
    // A protest against an anti-robbery squad is a protest.
    assert_eq!(
        one("Hundreds of students staged a sit-in in Lagos on Saturday demanding the disbandment of the police's anti-robbery squad.")
            .event_type,
        "Protests"
    );
}

#[test]
fn a_story_of_long_ago_told_on_is_history() {
    let a = article(
        "The revolt began in the capital in November 1923.\n\nThe rebels then attacked the barracks, and a gun battle left twenty soldiers dead.",
        Some("2023-11-05"),
    );
    let e = extract(&a);
    assert!(e.is_empty(), "{:#?}", e.iter().map(describe).collect::<Vec<_>>());
    // A sentence with a date of its own is news.
    let a = article(
        "The revolt began in the capital in November 1923.\n\nOn Monday, rebels attacked the army barracks in Idlib, killing four soldiers.",
        Some("2023-11-05"),
    );
    assert_eq!(extract(&a).len(), 1);
}

#[test]
fn learned_guesses_without_an_act_on_a_page_not_about_war_are_no_events() {
    let mut body = String::new();
    for i in 1..=11 {
        body.push_str(&format!("The home side won the {i}th match of the season in straight sets.\n\n"));
    }
    body.push_str("Turkey beat Iran on Monday.\n");
    let e = events(&body);
    assert!(e.is_empty(), "{:#?}", e.iter().map(describe).collect::<Vec<_>>());
    // A short text says too little of its page: the guess stands there.
    assert_eq!(events("Turkey beat Iran on Monday.").len(), 1);
}

#[test]
fn a_campaigns_toll_and_its_habits_are_background() {
    for s in [
        "The army's offensive on the province has left most of its clinics out of service.",
        "Shortages were worsened by the heavy bombardment, sometimes targeting bakeries and water stations.",
    ] {
        assert!(events(s).is_empty(), "{s}: {:#?}", events(s).iter().map(describe).collect::<Vec<_>>());
    }
}

// --- strategic developments and mob violence: the sub-types ACLED codes beside fighting ----

fn sub_types(body: &str) -> Vec<String> {
    events(body).iter().map(|e| e.sub_event_type.to_string()).collect()
}

#[test]
fn forces_that_move_or_patrol_change_their_activity() {
    for s in [
        "The army deployed two hundred soldiers and a dozen tanks around the town of Sanamayn on Tuesday.",
        "Russian military police resumed joint patrols along the highway east of the town on Monday.",
    ] {
        assert_eq!(sub_types(s), ["Change to group/activity"], "{s}");
    }
    // Beside a clash in the same sentence, a deployment gives way to it.
    let clash = sub_types("Rebels sent reinforcements to the front as fierce clashes with the army went on near the town on Monday.");
    assert!(!clash.iter().any(|t| t == "Change to group/activity"), "{clash:?}");
}

#[test]
fn armed_groups_that_merge_or_rename_change_the_group() {
    assert_eq!(
        sub_types(
            "Four rebel factions in the north merged into a new alliance called the Liberation Front on Wednesday, their commanders said."
        ),
        ["Change to group/activity"]
    );
    assert!(events("The two banks merged into a single lender on Wednesday, their boards said.").is_empty());
}

#[test]
fn a_base_set_up_is_a_headquarters_established() {
    for s in [
        "Iranian-backed militias set up a new base on the outskirts of the town on Saturday, local sources said.",
        "The militants turned the village school into their headquarters on Sunday, residents said.",
    ] {
        assert_eq!(sub_types(s), ["Headquarters or base established"], "{s}");
    }
}

#[test]
fn weapons_seized_and_bombs_defused_are_disrupted_weapons_use_not_territory() {
    let s = "Security forces seized a large cache of weapons and ammunition belonging to the militants in the town on Thursday.";
    assert_eq!(sub_types(s), ["Disrupted weapons use"], "{s}");
    let s = "Army engineers defused two explosive devices planted on the main road into the town on Monday.";
    assert!(sub_types(s).iter().any(|t| t == "Disrupted weapons use"), "{s}");
}

#[test]
fn a_crowd_that_beats_or_lynches_is_mob_violence() {
    for s in [
        "A mob beat two men accused of theft to death in the market of the town on Friday, witnesses said.",
        "Angry residents lynched a man suspected of planting a bomb near the mosque on Saturday, police said.",
    ] {
        assert_eq!(sub_types(s), ["Mob violence"], "{s}");
    }
    // Residents who are killed are victims, not a mob.
    assert!(!sub_types("Three residents were killed when shells hit the town on Friday.").iter().any(|t| t == "Mob violence"));
}

#[test]
fn acts_of_two_kinds_joined_by_and_are_two_events_each_at_its_place() {
    let e = events("Warplanes bombed Saraqib on Monday and artillery shelled Kafr Nabl in the south of Idlib.");
    let got: Vec<(String, String)> =
        e.iter().map(|e| (e.sub_event_type.as_str().to_string(), e.location.clone().unwrap_or_default())).collect();
    assert_eq!(
        got,
        vec![
            ("Air/drone strike".to_string(), "Saraqib".to_string()),
            ("Shelling/artillery/missile attack".to_string(), "Kafr Nabl".to_string())
        ],
        "{:#?}",
        e.iter().map(describe).collect::<Vec<_>>()
    );
    // Acts of one kind joined so are an event at each place too.
    let e = events("Warplanes struck Saraqib on Monday, while other jets bombed Maarat al-Numan.");
    let got: Vec<(&str, &str)> = e.iter().map(|e| (e.sub_event_type.as_str(), e.location.as_deref().unwrap_or_default())).collect();
    assert_eq!(
        got,
        vec![("Air/drone strike", "Saraqib"), ("Air/drone strike", "Maarat al-Numan")],
        "{:#?}",
        e.iter().map(describe).collect::<Vec<_>>()
    );
    // Acts of one kind not joined as two acts stay one event.
    let e = one(
        "Rebels captured the checkpoints of the regime forces and allied militias near Aleppo, as the village of Tal Shaeer fell to them.",
    );
    assert_eq!(e.sub_event_type, "Non-state actor overtakes territory");
}

#[test]
fn victims_named_between_the_words_of_a_killing_are_its_toll() {
    for (s, toll) in [
        ("ISIS militants put five men to death in Mayadin on Friday.", 5),
        ("Regime soldiers beat a woman to death at a checkpoint in Homs on Monday.", 1),
        ("A sniper shot two civilians dead in Daraa on Monday.", 2),
    ] {
        // (The event type only: the learned typer retypes the beating of a woman as sexual
        // violence, a known defect.)
        let e = one(s);
        assert_eq!((e.event_type.as_str(), e.fatalities), ("Violence against civilians", toll), "{}", describe(&e));
    }
}

#[test]
fn an_act_dated_long_before_publication_is_background() {
    let a = article(
        "It was reported in April that scores of soldiers were killed after the town fell to IS on 2 April 2015. \
         Government warplanes bombed Saraqib on 4 July 2015, killing five civilians.",
        Some("2015-07-06"),
    );
    let e = extract(&a);
    assert_eq!(e.len(), 1, "{:#?}", e.iter().map(describe).collect::<Vec<_>>());
    assert_eq!((e[0].location.as_deref(), e[0].fatalities), (Some("Saraqib"), 5));
}

#[test]
fn the_martyred_are_dead() {
    let e = one("Regime shelling hit the market of Douma on Friday, where 12 civilians were martyred.");
    assert_eq!((e.sub_event_type.as_str(), e.fatalities), ("Shelling/artillery/missile attack", 12));
    assert_eq!(one("Shells hit the market of Douma on Friday, leaving 9 martyrs.").fatalities, 9);
}

#[test]
fn a_sentence_that_only_counts_the_dead_tells_the_toll_of_the_act_before_it() {
    for (body, toll) in [
        ("Regime forces shelled Kafr Nabudah on Monday. Two civilians were killed.", 2),
        ("An IS cell attacked an army checkpoint near Palmyra on Friday. 3 soldiers were killed.", 3),
        ("Warplanes struck Saraqib on Monday.\n\nAt least seven people died.", 7),
    ] {
        let e = one(body);
        assert_eq!(e.fatalities, toll, "{}", describe(&e));
        assert_eq!(e.evidence.len(), 2, "both sentences are its evidence: {}", describe(&e));
    }
    // A sentence with a place, or a party, of its own tells of something else.
    for body in [
        "Regime forces shelled Kafr Nabudah on Monday. In Daraa, two civilians were killed.",
        "Regime forces shelled Kafr Nabudah on Monday. Two civilians were killed by ISIS gunmen.",
    ] {
        let e = events(body);
        assert!(
            e.iter().any(|e| e.location.as_deref() == Some("Kafr Nabudah") && e.fatalities == 0),
            "{body}: {:#?}",
            e.iter().map(describe).collect::<Vec<_>>()
        );
    }
}

#[test]
fn counts_joined_in_one_list_of_victims_add_up() {
    let e = one("HTS militants clashed with regime forces near Kafr Nubul on Sunday; 5 HTS militants and 3 regime soldiers were killed.");
    assert_eq!(e.fatalities, 8, "{}", describe(&e));
    // Parts of a whole told before them are the whole's.
    let e = one("Shelling hit Saraqib on Monday: 10 people, including 3 children and 2 women, were killed.");
    assert_eq!(e.fatalities, 10, "{}", describe(&e));
}

#[test]
fn an_arabic_article_written_as_a_word_of_its_own_is_part_of_the_name() {
    // As ACLED and GeoNames spell them; the governorate after a comma holds the town.
    for (body, place) in [
        ("An unknown gunman shot dead a civilian in Jisr ash Shughur, Idleb, on Monday.", "Jisr ash Shughur"),
        ("Unidentified gunmen killed a member of HTS in Ma'arrat an Nu'man, Idleb, on Monday.", "Ma'arrat an Nu'man"),
        ("The SDF arrested 12 people in a raid on Al Busayrah, Deir ez Zor, on Monday.", "Al Busayrah"),
    ] {
        let e = one(body);
        assert_eq!(e.location.as_deref(), Some(place), "{}", describe(&e));
    }
}
