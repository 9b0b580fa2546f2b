//! Events and rule sets shared by the benchmarks and the compile-size example.

/// The source of each event kind, in the order of `order_event`'s types.
const SOURCES: [&str; 6] = [
    "ordersaga.orders",
    "ordersaga.inventory",
    "ordersaga.inventory",
    "ordersaga.payment",
    "ordersaga.payment",
    "ordersaga.shipping",
];

/// An order-saga event of about 650 bytes; `variant` varies its values.
pub fn order_event(variant: usize) -> String {
    const TYPES: [&str; 6] = [
        "OrderPlaced",
        "InventoryReserved",
        "InventoryReservationFailed",
        "PaymentCaptured",
        "PaymentFailed",
        "ShipmentScheduled",
    ];
    let kind = variant % TYPES.len();
    let amount = 500 + (variant * 7919) % 40_000;
    let promotion = if variant.is_multiple_of(3) {
        r#""promotionCode":"BLACKFRIDAY","#
    } else {
        ""
    };
    let country = ["DE", "FR", "US", "GB"][variant % 4];
    format!(
        r#"{{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf37{variant:08}","detail-type":"{}","source":"{}","account":"123456789012","time":"2026-11-22T08:{:02}:00Z","region":"eu-west-1","resources":["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"],"detail":{{"metadata":{{"correlationId":"corr-{variant:06}","causationId":"cause-{variant:06}","schemaVersion":1,"producer":"orders-service"}},"data":{{"orderId":"ord-{variant:06}","customerId":"cus-{}","amount":{{"minor":{amount},"currency":"EUR"}},{promotion}"items":[{{"sku":"SKU-{}","quantity":2,"price":{{"minor":4999}}}},{{"sku":"SKU-7","quantity":1,"price":{{"minor":3001}}}}],"shippingAddress":{{"country":"{country}","city":"Berlin","postalCode":"10115"}},"channel":"web"}}}}}}"#,
        TYPES[kind],
        SOURCES[kind],
        variant % 60,
        variant % 97,
        variant % 13,
    )
}

pub fn order_events(count: usize) -> Vec<String> {
    (0..count).map(order_event).collect()
}

/// (a) The saga's own routing rules.
pub fn saga_rules() -> Vec<(String, String)> {
    [
        ("ReserveInventory", r#"{"source":["ordersaga.orders"],"detail-type":["OrderPlaced"]}"#),
        ("CapturePayment", r#"{"source":["ordersaga.inventory"],"detail-type":["InventoryReserved"]}"#),
        ("ScheduleShipment", r#"{"source":["ordersaga.payment"],"detail-type":["PaymentCaptured"]}"#),
        ("Compensate", r#"{"source":["ordersaga.inventory","ordersaga.payment"],"detail-type":["InventoryReservationFailed","PaymentFailed"]}"#),
        ("HighValueReview", r#"{"source":["ordersaga.orders"],"detail-type":["OrderPlaced"],"detail":{"data":{"amount":{"minor":[{"numeric":[">=",10000]}]}}}}"#),
        ("PromotionAudit", r#"{"source":["ordersaga.orders"],"detail":{"data":{"promotionCode":[{"exists":true}]}}}"#),
    ]
    .into_iter()
    .map(|(name, pattern)| (name.to_owned(), pattern.to_owned()))
    .collect()
}

/// (b) Thirty rules mixing the operators both engines support.
pub fn mixed_rules() -> Vec<(String, String)> {
    let mut rules = saga_rules();
    let extra = [
        r#"{"source":[{"anything-but":["ordersaga.orders","ordersaga.shipping"]}]}"#,
        r#"{"detail-type":[{"anything-but":"OrderPlaced"}],"detail":{"data":{"amount":{"minor":[{"numeric":[">",0,"<=",5000]}]}}}}"#,
        r#"{"detail":{"data":{"amount":{"minor":[{"numeric":[">=",20000,"<",30000]}]}}}}"#,
        r#"{"source":[{"prefix":"ordersaga."}],"detail-type":[{"prefix":"Payment"}]}"#,
        r#"{"detail-type":[{"suffix":"Failed"}]}"#,
        r#"{"detail":{"data":{"orderId":[{"prefix":"ord-0001"}]}}}"#,
        r#"{"detail":{"data":{"customerId":[{"wildcard":"cus-*7"}]}}}"#,
        r#"{"time":[{"wildcard":"2026-11-22T08:1*:00Z"}]}"#,
        r#"{"detail":{"data":{"items":{"sku":["SKU-3"]}}}}"#,
        r#"{"detail":{"data":{"items":{"quantity":[{"numeric":[">=",2]}],"sku":["SKU-7"]}}}}"#,
        r#"{"detail":{"data":{"items":{"price":{"minor":[{"numeric":["<",1000]}]}}}}}"#,
        r#"{"detail":{"data":{"shippingAddress":{"country":["DE","AT","CH"]}}}}"#,
        r#"{"detail":{"data":{"shippingAddress":{"country":[{"anything-but":["DE","FR"]}]}}}}"#,
        r#"{"detail":{"metadata":{"producer":[{"equals-ignore-case":"ORDERS-SERVICE"}]}}}"#,
        r#"{"detail":{"data":{"promotionCode":[{"exists":false}]},"metadata":{"schemaVersion":[1]}}}"#,
        r#"{"region":["eu-west-1"],"account":["123456789012"],"detail-type":["ShipmentScheduled"]}"#,
        r#"{"resources":[{"prefix":"arn:aws:dynamodb:"}],"detail-type":["InventoryReserved"]}"#,
        r#"{"detail":{"data":{"amount":{"currency":[{"anything-but":"EUR"}]}}}}"#,
        r#"{"detail":{"data":{"channel":["web"],"amount":{"minor":[{"numeric":["=",12999]}]}}}}"#,
        r#"{"source":["ordersaga.payment"],"detail":{"data":{"amount":{"minor":[{"numeric":[">",30000]}]}}}}"#,
        r#"{"detail":{"data":{"shippingAddress":{"postalCode":[{"prefix":"10"}],"city":["Berlin"]}}}}"#,
        r#"{"id":[{"wildcard":"*-bf3700000042"}]}"#,
        r#"{"detail-type":["OrderCancelled","OrderExpired"]}"#,
        r#"{"source":["ordersaga.shipping"],"detail":{"data":{"items":{"sku":[{"prefix":"SKU-1"}]}}}}"#,
    ];
    rules.extend(
        extra
            .iter()
            .enumerate()
            .map(|(i, pattern)| (format!("Mixed{i:02}"), (*pattern).to_owned())),
    );
    rules
}

/// (c) `count` rules matching exactly on source and detail-type.
pub fn exact_rules(count: usize) -> Vec<(String, String)> {
    (0..count)
        .map(|i| {
            (
                format!("Exact{i:05}"),
                format!(
                    r#"{{"source":["svc.{}"],"detail-type":["Type{i}"]}}"#,
                    i % 50
                ),
            )
        })
        .collect()
}

/// Events for (c): half address an existing rule, half match nothing.
pub fn exact_events(rules: usize, count: usize) -> Vec<String> {
    (0..count)
        .map(|v| {
            let i = (v * 7919) % rules;
            let kind = if v.is_multiple_of(2) {
                format!("Type{i}")
            } else {
                format!("Other{i}")
            };
            order_event(v)
                .replacen(
                    &format!("\"source\":\"{}\"", source_of(v)),
                    &format!("\"source\":\"svc.{}\"", i % 50),
                    1,
                )
                .replacen(
                    "\"detail-type\":\"",
                    &format!("\"detail-type\":\"{kind}\",\"x\":\""),
                    1,
                )
        })
        .collect()
}

fn source_of(variant: usize) -> &'static str {
    SOURCES[variant % SOURCES.len()]
}

/// The same events with `detail` replaced by 0: what reading `detail` costs
/// each engine (quamina stops before `detail` when its patterns name only
/// fields that come before it; this engine validates it all).
pub fn without_detail(events: &[String]) -> Vec<String> {
    events
        .iter()
        .map(|event| match event.find(r#""detail":{"#) {
            Some(at) => format!(r#"{}"detail":0}}"#, &event[..at]),
            None => event.clone(),
        })
        .collect()
}
