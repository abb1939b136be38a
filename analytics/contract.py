"""The data contract: tables, columns, coded values with Japanese/English labels, and header aliases.

Plain data, no logic. Everything that reads, validates, stores, computes or displays records reads it
from here, so a new spelling of a header or label is added in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

ColumnType = Literal[
    "person_id", "date", "municipality", "prefecture", "code", "text", "int", "bool", "float", "fiscal_year"
]


@dataclass(frozen=True)
class Code:
    """One canonical ASCII code with its labels and the spellings found in real exports."""

    code: str
    ja: str
    en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``aliases`` are the header spellings seen in agency exports; they are compared after NFKC
    normalisation, lower-casing and removal of spaces and brackets (see ``ingest.headers``).
    """

    name: str
    ja: str
    en: str
    type: ColumnType
    required: bool = False
    codes: str | None = None  # name of the code list in CODE_LISTS for type "code"
    aliases: tuple[str, ...] = ()
    description_ja: str = ""
    example: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    ja: str
    en: str
    columns: tuple[Column, ...]
    # Rows with the same values in these stored columns are one record: the second is a duplicate.
    duplicate_key: tuple[str, ...]
    # At least one column of each group must be present and filled.
    one_of: tuple[tuple[str, ...], ...] = ()
    aliases: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


# ---------------------------------------------------------------------------------------------
# Coded values
# ---------------------------------------------------------------------------------------------

TARGET_GROUPS: tuple[Code, ...] = (
    Code(
        "unstable_employment",
        "不安定就労",
        "Unstable employment",
        (
            "不安定就労",
            "不安定な就労状態にある方",
            "不安定な就労状態",
            "不本意非正規",
            "不安定就労者",
            "unstable",
            "unstable employment",
            "1",
        ),
    ),
    Code(
        "long_term_jobless",
        "長期無業",
        "Long-term jobless",
        (
            "長期無業",
            "長期にわたり無業の状態にある方",
            "長期にわたり無業",
            "長期無業者",
            "無業",
            "long-term jobless",
            "long term jobless",
            "jobless",
            "2",
        ),
    ),
    Code(
        "social_participation",
        "社会参加支援",
        "Support toward social participation",
        (
            "社会参加支援",
            "社会参加に向けた支援を必要とする方",
            "社会参加に向けた支援",
            "社会参加",
            "ひきこもり",
            "引きこもり",
            "social participation",
            "social participation support",
            "3",
        ),
    ),
)

AGENCY_TYPES: tuple[Code, ...] = (
    Code(
        "hello_work",
        "ハローワーク",
        "Hello Work",
        ("ハローワーク", "公共職業安定所", "職業安定所", "hw", "hellowork", "hello work", "専門窓口"),
    ),
    Code(
        "support_station",
        "地域若者サポートステーション",
        "Regional Youth Support Station",
        ("地域若者サポートステーション", "サポートステーション", "サポステ", "support station"),
    ),
    Code(
        "self_reliance_support",
        "自立相談支援機関",
        "Self-reliance consultation centre",
        (
            "自立相談支援機関",
            "自立相談支援",
            "自立相談",
            "生活困窮者自立相談支援",
            "生活困窮",
            "self-reliance support",
            "self reliance support",
        ),
    ),
    Code(
        "hikikomori_support_center",
        "ひきこもり地域支援センター",
        "Hikikomori support centre",
        (
            "ひきこもり地域支援センター",
            "ひきこもり支援センター",
            "ひきこもり",
            "引きこもり",
            "hikikomori",
            "hikikomori support center",
            "hikikomori support centre",
        ),
    ),
    Code("other", "その他", "Other", ("その他", "other")),
)

CHANNELS: tuple[Code, ...] = (
    Code("visit", "来所", "Visit", ("来所", "来所相談", "窓口", "面談", "visit", "in person")),
    Code("phone", "電話", "Phone", ("電話", "電話相談", "phone", "telephone")),
    Code("online", "オンライン", "Online", ("オンライン", "メール", "web", "ウェブ", "sns", "online", "チャット")),
    Code("outreach", "アウトリーチ", "Outreach", ("アウトリーチ", "訪問", "家庭訪問", "出張相談", "outreach")),
    Code("other", "その他", "Other", ("その他", "other")),
)

GENDERS: tuple[Code, ...] = (
    Code("male", "男性", "Male", ("男性", "男", "m", "male", "1")),
    Code("female", "女性", "Female", ("女性", "女", "f", "female", "2")),
    Code("other", "その他", "Other", ("その他", "other", "x")),
    Code("unknown", "不明", "Unknown", ("不明", "無回答", "回答なし", "未回答", "unknown", "-", "9")),
)

OUTCOME_TYPES: tuple[Code, ...] = (
    Code(
        "regular_employment",
        "正社員就職",
        "Regular employment",
        (
            "正社員就職",
            "正社員",
            "正規雇用",
            "正規",
            "正規職員",
            "正職員",
            "無期雇用正社員",
            "regular",
            "regular employment",
            "full-time regular",
        ),
    ),
    Code(
        "non_regular_employment",
        "非正規就職",
        "Non-regular employment",
        (
            "非正規就職",
            "非正規",
            "非正規雇用",
            "契約社員",
            "パート・アルバイト",
            "パート",
            "アルバイト",
            "パートタイム",
            "派遣社員",
            "派遣",
            "嘱託",
            "臨時",
            "有期雇用",
            "non-regular",
            "non-regular employment",
            "part-time",
            "contract",
            "dispatched",
        ),
    ),
    Code(
        "training",
        "職業訓練・資格取得",
        "Training",
        ("職業訓練・資格取得", "職業訓練", "訓練", "資格取得", "公共職業訓練", "求職者支援訓練", "training"),
    ),
    Code(
        "social_participation",
        "社会参加",
        "Social participation",
        ("社会参加", "社会参加移行", "就労体験", "居場所参加", "ボランティア", "social participation"),
    ),
)

RETENTION: tuple[Code, ...] = (
    Code(
        "true",
        "定着",
        "Retained",
        ("定着", "定着あり", "あり", "有", "はい", "○", "◯", "〇", "済", "継続", "在職", "yes", "y", "true", "1"),
    ),
    Code(
        "false",
        "離職",
        "Not retained",
        ("離職", "定着なし", "なし", "無", "いいえ", "×", "✕", "退職", "no", "n", "false", "0"),
    ),
    Code("unknown", "不明", "Unknown", ("不明", "未確認", "確認中", "unknown", "-", "―", "ー")),
)

# Municipal platforms (市町村プラットフォーム, issue 18): the survey sheet prefectures keep, one row per municipality.
PLATFORM_STATUSES: tuple[Code, ...] = (
    Code(
        "established",
        "設置済",
        "Set up",
        ("設置済", "設置済み", "設置ずみ", "済", "設置", "設置した", "設置有", "設置あり", "あり", "有", "established", "set up"),
    ),
    Code(
        "planned",
        "設置予定",
        "Planned",
        ("設置予定", "予定", "設置予定あり", "今年度設置予定", "次年度設置予定", "準備中", "設置準備中", "planned"),
    ),
    Code(
        "considering",
        "検討中",
        "Under consideration",
        ("検討中", "検討", "設置検討中", "設置を検討中", "検討している", "considering", "under consideration"),
    ),
    Code(
        "undecided",
        "未定",
        "Undecided",
        ("未定", "未設置", "予定なし", "設置予定なし", "なし", "無", "未", "undecided", "none", "not planned"),
    ),
)

# The meeting body a platform is built on (plan: 支援会議・支援調整会議・地域ケア会議, or a new one).
BASE_BODIES: tuple[Code, ...] = (
    Code(
        "support_meeting",
        "支援会議",
        "Support meeting (生活困窮者自立支援法)",
        ("支援会議", "生活困窮者支援会議", "生活困窮者自立支援法の支援会議", "support meeting"),
    ),
    Code(
        "support_coordination_meeting",
        "支援調整会議",
        "Support coordination meeting",
        ("支援調整会議", "調整会議", "support coordination meeting"),
    ),
    Code("community_care_meeting", "地域ケア会議", "Community care meeting", ("地域ケア会議", "ケア会議", "community care")),
    Code("new_body", "新設", "Newly created body", ("新設", "新規", "新規設置", "新たに設置", "新設会議", "new")),
    Code("other", "その他", "Other", ("その他", "other")),
)

# Whether a platform covers one municipality or several together (広域: towns and villages joining up).
PLATFORM_AREAS: tuple[Code, ...] = (
    Code("single", "単独", "Single municipality", ("単独", "単独設置", "市単独", "町単独", "村単独", "single")),
    Code("joint", "広域", "Joint (several municipalities)", ("広域", "広域設置", "共同", "共同設置", "合同", "joint", "wide area")),
)

# A partner cell of the survey: connected (○) or not (× or blank).
CONNECTED_MARKS: tuple[Code, ...] = (
    Code("true", "連携あり", "Connected", ("○", "◯", "〇", "●", "✓", "✔", "レ", "1", "あり", "有", "済", "連携", "連携あり", "yes", "y", "true")),
    Code("false", "連携なし", "Not connected", ("×", "✕", "x", "なし", "無", "0", "-", "―", "ー", "未", "連携なし", "no", "n", "false")),
)

# The partners the plan names for every municipal platform. The code is the column ``partner_<code>``
# (CLI ``platforms --by municipality`` prints one 0/1 column per code); the aliases are the sheet's headers.
PARTNER_TYPES: tuple[Code, ...] = (
    Code(
        "self_reliance",
        "自立相談支援機関・就労準備支援機関",
        "Self-reliance consultation / work-readiness support",
        ("自立相談支援機関・就労準備支援機関", "自立相談支援機関", "就労準備支援機関", "自立相談・就労準備", "自立相談支援"),
    ),
    Code(
        "support_station",
        "地域若者サポートステーション",
        "Regional Youth Support Station",
        ("地域若者サポートステーション", "サポートステーション", "サポステ", "若者サポートステーション"),
    ),
    Code("hello_work", "ハローワーク", "Hello Work", ("ハローワーク", "公共職業安定所", "hello work")),
    Code(
        "disability_employment_center",
        "障害者就業・生活支援センター",
        "Employment and life support centre for persons with disabilities",
        ("障害者就業・生活支援センター", "障害者就業生活支援センター", "就業・生活支援センター", "なかぽつ"),
    ),
    Code(
        "business",
        "経済団体・地元の中小企業",
        "Business organisations and local SMEs",
        ("経済団体・地元の中小企業", "経済団体", "地元の中小企業", "経済団体・中小企業", "商工会議所・商工会", "商工団体"),
    ),
    Code(
        "hikikomori_center",
        "ひきこもり地域支援センター",
        "Hikikomori support centre",
        ("ひきこもり地域支援センター", "ひきこもり支援センター", "引きこもり地域支援センター"),
    ),
    Code(
        "family_peer_groups",
        "ひきこもり家族会・当事者会",
        "Hikikomori family and peer groups",
        ("ひきこもり家族会・当事者会", "家族会・当事者会", "家族会", "当事者会", "ひきこもり家族会"),
    ),
    Code("social_welfare_council", "社会福祉協議会", "Social welfare council", ("社会福祉協議会", "社協", "市町村社会福祉協議会")),
    Code("welfare_commissioners", "民生委員", "Welfare commissioners", ("民生委員", "民生委員・児童委員", "民生・児童委員")),
    Code(
        "public_health",
        "保健所・保健センター",
        "Public health centre",
        ("保健所・保健センター", "保健所", "保健センター", "保健所等"),
    ),
    Code("local_media", "地域の広報媒体", "Local media", ("地域の広報媒体", "広報媒体", "地域広報媒体", "広報誌・地域メディア")),
)

CODE_LISTS: dict[str, tuple[Code, ...]] = {
    "target_group": TARGET_GROUPS,
    "agency_type": AGENCY_TYPES,
    "channel": CHANNELS,
    "gender": GENDERS,
    "outcome_type": OUTCOME_TYPES,
    "retention": RETENTION,
    "platform_status": PLATFORM_STATUSES,
    "base_body": BASE_BODIES,
    "platform_area": PLATFORM_AREAS,
    "connected": CONNECTED_MARKS,
}

# Code lists whose unrecognised labels become "other"/"unknown" instead of quarantining the row:
# agency and channel names are free text in many systems (「〇〇市役所」), and losing the row would
# lose a consultation; the original text stays in agency_name.
LENIENT_CODE_LISTS: dict[str, str] = {"agency_type": "other", "channel": "other", "base_body": "other"}

AGE_BANDS: tuple[Code, ...] = (
    Code("35-39", "35～39歳", "35–39"),
    Code("40-44", "40～44歳", "40–44"),
    Code("45-49", "45～49歳", "45–49"),
    Code("50-54", "50～54歳", "50–54"),
    Code("other", "その他・不明", "Other or unknown"),
)

# ---------------------------------------------------------------------------------------------
# Personal data: headers matched here are dropped before anything is written, quarantine included.
# ---------------------------------------------------------------------------------------------

PERSONAL_DATA_HEADERS: tuple[str, ...] = (
    "氏名",
    "名前",
    "姓名",
    "姓",
    "名",
    "氏名カナ",
    "フリガナ",
    "ふりがな",
    "カナ",
    "カナ氏名",
    "氏名(カナ)",
    "住所",
    "現住所",
    "住所1",
    "住所2",
    "番地",
    "郵便番号",
    "〒",
    "電話",
    "電話番号",
    "tel",
    "携帯",
    "携帯電話",
    "携帯番号",
    "連絡先",
    "fax",
    "メール",
    "メールアドレス",
    "e-mail",
    "email",
    "mail",
    "mailaddress",
    "name",
    "fullname",
    "full name",
    "address",
    "phone",
    "phonenumber",
    "telephone",
    "zip",
    "postalcode",
    "担当者",
    "担当者名",
    "連絡担当者",
    "記入者",
    "回答者",
    "内線",
    "contact person",
)
# Substrings that mark a header as personal data even with decorations (「相談者氏名」「自宅電話番号」).
PERSONAL_DATA_HEADER_PARTS: tuple[str, ...] = (
    "氏名", "フリガナ", "ふりがな", "住所", "電話", "メール", "mail", "郵便", "担当者", "記入者", "回答者"
)

# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

_PERSON_ID = Column(
    "person_id",
    "個人ID",
    "Person ID",
    "person_id",
    required=True,
    aliases=(
        "個人id",
        "相談者id",
        "利用者id",
        "支援対象者id",
        "対象者id",
        "個人番号",
        "相談者番号",
        "利用者番号",
        "ケース番号",
        "ケースid",
        "管理番号",
        "id",
        "person id",
        "personid",
        "client id",
        "clientid",
    ),
    description_ja="相談者を識別する番号。保存前に正規化（全角→半角）し、鍵付きハッシュで仮名化します。",
    example="01-01000",
)
_MUNICIPALITY = Column(
    "municipality_code",
    "市区町村コード",
    "Municipality code",
    "municipality",
    aliases=(
        "市区町村コード",
        "市町村コード",
        "団体コード",
        "地方公共団体コード",
        "全国地方公共団体コード",
        "自治体コード",
        "市区町村",
        "市町村",
        "市町村名",
        "市区町村名",
        "自治体",
        "自治体名",
        "居住市町村",
        "municipality",
        "municipality code",
        "municipality_code",
        "city code",
        "city",
    ),
    description_ja="全国地方公共団体コード（5桁、または検査数字付き6桁）、または市区町村名。政令市の区は市に集約します。",
    example="02201",
)
_PREFECTURE = Column(
    "prefecture_code",
    "都道府県コード",
    "Prefecture code",
    "prefecture",
    aliases=(
        "都道府県",
        "都道府県コード",
        "都道府県名",
        "県",
        "県名",
        "prefecture",
        "prefecture code",
        "prefecture_code",
        "pref",
        "pref code",
    ),
    description_ja="都道府県名（「都道府県」の有無は問いません）または2桁コード。市区町村があればそこから導きます。",
    example="青森県",
)
_TARGET_GROUP = Column(
    "target_group",
    "対象者区分",
    "Target group",
    "code",
    codes="target_group",
    aliases=(
        "対象者区分",
        "支援対象区分",
        "対象区分",
        "支援区分",
        "対象者類型",
        "区分",
        "target group",
        "target_group",
        "group",
    ),
    description_ja="支援対象の3区分（不安定就労・長期無業・社会参加支援）。",
    example="長期無業",
)

CONSULTATIONS = Table(
    "consultations",
    "相談記録",
    "Consultations",
    columns=(
        _PERSON_ID,
        Column(
            "consultation_date",
            "相談日",
            "Consultation date",
            "date",
            required=True,
            aliases=(
                "相談日",
                "相談年月日",
                "受付日",
                "受付年月日",
                "相談受付日",
                "来所日",
                "面談日",
                "支援日",
                "実施日",
                "consultation date",
                "consultation_date",
                "date",
            ),
            description_ja="相談を受けた日。西暦・和暦（令和3年4月5日、R3.4.5）・Excelの日付のいずれも可。",
            example="2021-04-05",
        ),
        _MUNICIPALITY,
        _PREFECTURE,
        replace(_TARGET_GROUP, required=True),
        Column(
            "agency_type",
            "機関種別",
            "Agency type",
            "code",
            codes="agency_type",
            aliases=("機関種別", "支援機関種別", "機関区分", "相談機関種別", "窓口種別", "agency type", "agency_type"),
            description_ja="相談を受けた機関の種別。分からない名称は「その他」になります。",
            example="サポステ",
        ),
        Column(
            "agency_name",
            "機関名",
            "Agency name",
            "text",
            aliases=(
                "機関名",
                "支援機関",
                "支援機関名",
                "相談機関",
                "相談機関名",
                "窓口",
                "窓口名",
                "実施機関",
                "agency",
                "agency name",
                "agency_name",
            ),
            description_ja="機関の名称（例：ハローワーク青森）。",
            example="あおもり若者サポートステーション",
        ),
        Column(
            "channel",
            "相談方法",
            "Channel",
            "code",
            codes="channel",
            aliases=("相談方法", "相談形態", "相談手段", "支援方法", "実施方法", "channel"),
            description_ja="来所・電話・オンライン・アウトリーチ（訪問）・その他。",
            example="来所",
        ),
        Column(
            "age",
            "年齢",
            "Age",
            "int",
            aliases=("年齢", "相談時年齢", "満年齢", "age"),
            description_ja="相談時の年齢（歳）。",
            example="42",
        ),
        Column(
            "birth_year",
            "生年",
            "Birth year",
            "int",
            aliases=(
                "生年",
                "生まれ年",
                "出生年",
                "生年月日",
                "birth year",
                "birth_year",
                "birthdate",
                "date of birth",
            ),
            description_ja="生まれた年。生年月日が来た場合は年だけを残し、月日は保存しません。",
            example="1979",
        ),
        Column(
            "gender",
            "性別",
            "Gender",
            "code",
            codes="gender",
            aliases=("性別", "gender", "sex"),
            description_ja="男性・女性・その他・不明。",
            example="女性",
        ),
        Column(
            "referred_to",
            "紹介先",
            "Referred to",
            "code",
            codes="agency_type",
            aliases=(
                "紹介先",
                "紹介先機関",
                "つなぎ先",
                "引継先",
                "リファー先",
                "referred to",
                "referred_to",
                "referral",
            ),
            description_ja="他機関へつないだ場合の機関種別（任意）。",
            example="ハローワーク",
        ),
    ),
    duplicate_key=("person_id", "consultation_date", "agency_type", "agency_name"),
    one_of=(("municipality_code", "prefecture_code"),),
    aliases=("相談", "相談記録", "相談実績", "consultations"),
)

PLACEMENTS = Table(
    "placements",
    "就職等実績",
    "Placements",
    columns=(
        _PERSON_ID,
        Column(
            "placement_date",
            "就職日",
            "Placement date",
            "date",
            required=True,
            aliases=(
                "就職日",
                "就職年月日",
                "採用日",
                "採用年月日",
                "入社日",
                "就業開始日",
                "移行日",
                "決定日",
                "開始日",
                "placement date",
                "placement_date",
                "hire date",
            ),
            description_ja="就職・訓練開始・社会参加へ移行した日。",
            example="令和3年10月1日",
        ),
        Column(
            "outcome_type",
            "就職等区分",
            "Outcome type",
            "code",
            required=True,
            codes="outcome_type",
            aliases=(
                "就職等区分",
                "成果区分",
                "結果区分",
                "就職区分",
                "進路区分",
                "雇用形態",
                "就業形態",
                "雇用区分",
                "outcome",
                "outcome type",
                "outcome_type",
                "employment type",
            ),
            description_ja="正社員就職・非正規就職（契約・パート・派遣など）・職業訓練・社会参加。",
            example="正社員",
        ),
        _MUNICIPALITY,
        _PREFECTURE,
        _TARGET_GROUP,
        Column(
            "retained_6m",
            "6か月定着",
            "Retained 6 months",
            "bool",
            codes="retention",
            aliases=(
                "6か月定着",
                "6ヶ月定着",
                "6カ月定着",
                "6か月後定着",
                "定着状況",
                "定着",
                "職場定着",
                "retained 6m",
                "retained_6m",
                "retention",
            ),
            description_ja="就職から6か月後に在職しているか（定着／離職／不明）。",
            example="定着",
        ),
        Column(
            "industry",
            "産業",
            "Industry",
            "text",
            aliases=("産業", "業種", "産業分類", "就職先業種", "industry"),
            description_ja="就職先の業種。",
            example="医療,福祉",
        ),
        Column(
            "program",
            "事業",
            "Program",
            "text",
            aliases=("事業", "事業名", "支援事業", "施策", "program", "programme"),
            description_ja="成果につながった事業・施策名（任意）。",
            example="成果連動型事業",
        ),
    ),
    duplicate_key=("person_id", "placement_date", "outcome_type"),
    aliases=("就職", "就職実績", "就職等実績", "placements"),
)

TARGETS = Table(
    "targets",
    "目標",
    "Targets",
    columns=(
        Column(
            "indicator",
            "指標",
            "Indicator",
            "text",
            required=True,
            aliases=("指標", "指標名", "目標指標", "目標項目", "項目", "indicator"),
            description_ja="指標ID（regular_placed_persons など）または日本語名（正社員就職者数）。",
            example="正社員就職者数",
        ),
        Column(
            "fiscal_year",
            "年度",
            "Fiscal year",
            "fiscal_year",
            aliases=("年度", "対象年度", "fiscal year", "fiscal_year", "fy"),
            description_ja="単年度の目標なら年度（2023、令和5年度）。ステージ全体の目標なら空欄。",
            example="令和5年度",
        ),
        Column(
            "stage",
            "ステージ",
            "Stage",
            "text",
            aliases=("ステージ", "期間", "計画期間", "stage"),
            description_ja="ステージ全体の目標ならステージ名（第1ステージ など）。",
            example="第2ステージ",
        ),
        _PREFECTURE,
        _TARGET_GROUP,
        Column(
            "value",
            "目標値",
            "Target value",
            "float",
            required=True,
            aliases=("目標値", "目標", "目標数", "value", "target"),
            description_ja="目標値（人・件）。",
            example="5643",
        ),
        Column(
            "vintage",
            "版",
            "Vintage",
            "text",
            aliases=("版", "設定時点", "改定", "設定日", "vintage"),
            description_ja="目標の版（設定・改定した時点）。改定されても古い版は残ります。",
            example="2023-04",
        ),
        # What real plans have (issue 16, migration 011): any period, annual vs period, a project and unit.
        Column(
            "period_start",
            "目標期間の初日",
            "Target period start",
            "date",
            aliases=("目標期間開始", "目標期間の初日", "period_start"),
            description_ja="年度・ステージ以外の期間の目標なら、その初日（令和2〜4年度なら 2020-04-01）。",
            example="2020-04-01",
        ),
        Column(
            "period_end",
            "目標期間の末日",
            "Target period end",
            "date",
            aliases=("目標期間終了", "目標期間の末日", "period_end"),
            description_ja="その末日（令和2〜4年度なら 2023-03-31）。延長された目標は新しい版で末日を延ばします。",
            example="2023-03-31",
        ),
        Column(
            "target_kind",
            "目標の種類",
            "Target kind",
            "text",
            aliases=("目標の種類", "目標種別", "target_kind"),
            description_ja="annual（年度ごと）または period（期間全体）。空欄なら年度・ステージから判断します。",
            example="period",
        ),
        replace(
            _MUNICIPALITY,
            aliases=("市区町村コード", "市町村コード", "団体コード", "municipality_code"),
            description_ja="市区町村の目標なら全国地方公共団体コード。都道府県・全国の目標なら空欄。",
            example="02201",
        ),
        Column(
            "project",
            "事業",
            "Project",
            "text",
            aliases=("対象事業", "project"),
            description_ja="事業実施計画の事業（KPI シートのブロック見出し）。",
            example="地域若者サポートステーション事業",
        ),
        Column(
            "unit",
            "単位",
            "Unit",
            "text",
            aliases=("単位", "unit"),
            description_ja="件・人。空欄なら指標の単位。",
            example="人",
        ),
        Column(
            "source",
            "出典",
            "Source",
            "text",
            aliases=("出典", "設定者", "source"),
            description_ja="目標を定めた主体・資料（県、国、事業実施計画 …）。",
            example="県",
        ),
    ),
    duplicate_key=(
        "indicator", "fiscal_year", "stage", "prefecture_code", "target_group", "vintage", "period_start",
        "period_end", "municipality_code", "project", "unit",
    ),
    aliases=("目標", "目標値", "targets"),
)

PLATFORMS = Table(
    "platforms",
    "市町村プラットフォーム調査",
    "Municipal platform survey",
    columns=(
        Column(
            "as_of",
            "調査時点",
            "As of",
            "date",
            aliases=("調査時点", "基準日", "調査基準日", "時点", "現在", "調査日", "as of", "as_of", "survey date"),
            description_ja=(
                "調査の時点（版）。列がなければ表題の「令和5年4月1日現在」、シート名、ファイル名の順に読み、"
                "どれにもなければ取込日とします。新しい版が市町村ごとに古い版に代わり、古い版も残ります。"
            ),
            example="令和5年4月1日",
        ),
        replace(_MUNICIPALITY, required=True),
        _PREFECTURE,
        Column(
            "status",
            "設置状況",
            "Status",
            "code",
            required=True,
            codes="platform_status",
            aliases=(
                "設置状況",
                "設置の状況",
                "プラットフォーム設置状況",
                "プラットフォームの設置状況",
                "設置有無",
                "設置の有無",
                "platform status",
                "status",
            ),
            description_ja="設置済・設置予定・検討中・未定（表記ゆれ可）。",
            example="設置済",
        ),
        Column(
            "set_up_on",
            "設置年月日",
            "Set up on",
            "date",
            aliases=("設置年月日", "設置日", "設置時期", "設置年月", "設置年度", "設置年", "set up on", "set_up_on"),
            description_ja="設置した（する予定の）日。西暦・和暦のほか、年月だけなら1日、年度だけならその年度の4月1日とします。",
            example="令和4年10月1日",
        ),
        Column(
            "secretariat",
            "事務局（担当課）",
            "Secretariat",
            "text",
            aliases=("事務局", "事務局担当課", "事務局の担当課", "担当課", "担当部署", "所管課", "事務局部署", "secretariat"),
            description_ja="事務局を担う部署の名称（自由記述）。個人の氏名・電話番号の列は保存前に削除します。",
            example="福祉部生活福祉課",
        ),
        Column(
            "base_body",
            "母体となる会議体",
            "Base meeting body",
            "code",
            codes="base_body",
            aliases=("母体となる会議体", "母体会議体", "母体", "基盤となる会議体", "既存の会議体", "活用する会議体", "会議体", "base body"),
            description_ja="支援会議・支援調整会議・地域ケア会議・新設・その他。分からない名称は「その他」になります。",
            example="支援会議",
        ),
        Column(
            "base_body_note",
            "会議体の名称",
            "Base body (text)",
            "text",
            aliases=("会議体の名称", "会議体名称", "会議体名", "母体の名称", "その他の内容", "その他の会議体", "base body note"),
            description_ja="会議体の名称や「その他」の内容（自由記述）。",
            example="要保護児童対策地域協議会",
        ),
        Column(
            "area",
            "単独・広域",
            "Area",
            "code",
            codes="platform_area",
            aliases=("単独・広域", "単独広域", "単独／広域", "設置単位", "設置区域", "設置形態", "区域", "area"),
            description_ja="単独（1市町村）か広域（複数の市町村で共同）か。",
            example="広域",
        ),
        Column(
            "area_members",
            "広域の構成市町村",
            "Joint with",
            "text",
            aliases=("広域の構成市町村", "構成市町村", "広域構成市町村", "共同設置市町村", "共同設置の市町村", "連携市町村", "area members"),
            description_ja="広域の場合、一緒に設置したほかの市町村の名称（自由記述）。",
            example="平内町、今別町",
        ),
        *(
            Column(
                f"partner_{p.code}",
                p.ja,
                p.en,
                "bool",
                codes="connected",
                aliases=p.aliases,
                description_ja=(
                    f"連携している機関のうち「{p.ja}」：○・◯・✓・1・あり＝連携あり、×・なし・空欄＝連携なし。"
                    "「連携している機関」の下に2段の見出しで並ぶ形で構いません。"
                ),
                example="○",
            )
            for p in PARTNER_TYPES
        ),
        Column(
            "partner_other",
            "その他の連携機関",
            "Other partners",
            "text",
            aliases=("その他の連携機関", "その他の機関", "その他連携機関", "独自に加えた機関", "その他（機関名）", "other partners"),
            description_ja="市町村が独自に加えた連携先（自由記述）。",
            example="地元の農業法人",
        ),
        Column(
            "meetings",
            "会議開催回数",
            "Meetings in the year",
            "int",
            aliases=(
                "会議開催回数",
                "開催回数",
                "年間開催回数",
                "会議回数",
                "ケース会議開催回数",
                "会議・ケース検討会の回数",
                "会議ケース検討回数",
                "meetings",
            ),
            description_ja="その年度の会議・ケース検討会の開催回数。",
            example="4",
        ),
        Column(
            "notes",
            "備考",
            "Notes",
            "text",
            aliases=("備考", "特記事項", "備考欄", "notes", "remarks"),
            description_ja="備考（自由記述）。",
            example="令和6年度から広域化を検討",
        ),
    ),
    duplicate_key=("municipality_code", "as_of"),
    aliases=("プラットフォーム", "市町村プラットフォーム", "プラットフォーム設置状況", "platforms"),
)

PARTNER_COLUMNS: tuple[str, ...] = tuple(f"partner_{p.code}" for p in PARTNER_TYPES)

# Reported figures (集計値, issue 16; migration 011): aggregate tables read cell by cell by
# ``analytics.ingest.reported``, not a record table (it is not in TABLES: its files have no record columns and
# their shapes — wide by month, wide by year, KPI blocks — are read by layout, not by header mapping alone).
# Columns as stored after batch_id, source_sheet and source_row; the duplicate key is one figure of one vintage.
REPORTED_FIGURES = Table(
    "reported_figures",
    "集計値",
    "Reported figures",
    columns=(
        Column("source_column", "列見出し", "Column header", "text"),
        Column("measure", "指標", "Measure", "text", required=True,
               description_ja="指標の登録ID（analytics/metrics/measures.py）。登録にない指標は書かれた名前のまま。"),
        Column("measure_name", "指標名（原文）", "Measure as written", "text", required=True),
        Column("unit", "単位", "Unit", "text", required=True, description_ja="件・人（万人・千人は換算後の単位）。"),
        Column("period_start", "期間の初日", "Period start", "date", required=True),
        Column("period_end", "期間の末日", "Period end", "date", required=True),
        Column("period_kind", "期間の種類", "Period kind", "text", required=True,
               description_ja="month（月）・fiscal_year（年度）・span（それ以外の期間：累計・3か年計など）。"),
        Column("fiscal_year", "年度", "Fiscal year", "fiscal_year"),
        Column("is_cumulative", "累計", "Cumulative", "bool", required=True),
        Column("prefecture_code", "都道府県コード", "Prefecture code", "prefecture", description_ja="空欄は全国。"),
        Column("municipality_code", "市区町村コード", "Municipality code", "municipality"),
        Column("target_group", "対象者区分", "Target group", "code", codes="target_group", description_ja="空欄は全体。"),
        Column("agency_type", "機関種別", "Agency type", "code", codes="agency_type", description_ja="空欄は全体。"),
        Column("project", "事業", "Project", "text", description_ja="KPI シートのブロック見出し（事業名）。"),
        Column("value", "値", "Value", "float", description_ja="value_status が value のときだけ入ります（0 と空欄を区別）。"),
        Column("value_status", "値の状態", "Value status", "text", required=True,
               description_ja="value・none（「-」「―」）・suppressed（「x」）・not_available（「…」）・blank（空欄）。"),
        Column("source", "出典", "Source", "text", description_ja="報告元（労働局・サポステ・県・国 …）。"),
        Column("vintage", "時点（版）", "Vintage", "date", description_ja="「※ 令和3年3月末現在」などの時点。空欄は不明。"),
        Column("note", "注記", "Note", "text", description_ja="その数値に付いた注記（※…）。"),
    ),
    duplicate_key=(
        "measure", "unit", "period_start", "period_end", "is_cumulative", "prefecture_code", "municipality_code",
        "target_group", "agency_type", "project", "vintage", "value_status", "value",
    ),
    aliases=("集計値", "集計表", "報告値", "reported figures"),
)

# Header spellings of the long form of reported figures (one row per figure): field → spellings. ``target`` and
# ``rate`` columns (目標 / 進捗率) load the target and check the published rate; the rest say what the figure is.
REPORTED_FIGURE_HEADERS: dict[str, tuple[str, ...]] = {
    "measure": ("指標", "指標名", "項目", "項目名", "測定項目", "measure", "indicator"),
    "value": ("値", "数値", "実績", "実績値", "件数・人数", "value", "actual"),
    "target": ("目標", "目標値", "KPI", "target"),
    "rate": ("進捗率", "達成率"),
    "unit": ("単位", "unit"),
    "fiscal_year": ("年度", "対象年度", "fiscal_year", "fy"),
    "month": ("年月", "月", "対象年月", "month"),
    "period": ("期間", "対象期間", "集計期間", "period"),
    "prefecture_code": ("都道府県", "都道府県名", "都道府県コード", "地域", "prefecture"),
    "municipality_code": ("市区町村", "市町村", "市区町村名", "市町村名", "市区町村コード", "municipality"),
    "target_group": ("対象者区分", "区分", "対象区分", "target_group"),
    "agency_type": ("機関種別", "機関区分", "agency_type"),
    "project": ("事業", "事業名", "project"),
    "note": ("備考", "注記", "注", "note"),
    "source": ("出典", "報告元", "source"),
    "vintage": ("時点", "公表日", "基準日", "現在", "vintage", "as_of"),
}

TABLES: dict[str, Table] = {t.name: t for t in (CONSULTATIONS, PLACEMENTS, TARGETS, PLATFORMS)}
KINDS: tuple[str, ...] = tuple(TABLES)

# Where a placement gives no target group, a consultations-only target group column is required.
REQUIRED_CODED: dict[str, tuple[str, ...]] = {
    "consultations": ("target_group",),
    "placements": ("outcome_type",),
    "targets": (),
    "platforms": ("status",),
}

# Indicators that targets may refer to, with the Japanese names planners write in their sheets.
TARGET_INDICATORS: tuple[Code, ...] = (
    Code(
        "regular_placed_persons",
        "正社員就職者数",
        "Regular placed persons",
        ("正社員就職者数", "正社員就職者", "正社員数", "正規雇用者数", "正社員"),
    ),
    Code("regular_placements", "正社員就職件数", "Regular placements", ("正社員就職件数",)),
    Code("placed_persons", "就職者数", "Placed persons", ("就職者数", "就職者", "就職数")),
    Code("consultations", "相談件数", "Consultations", ("相談件数", "相談数")),
    Code("persons", "実支援者数", "Persons supported", ("実支援者数", "支援者数", "実人数")),
    Code("new_persons", "新規相談者数", "New persons", ("新規相談者数", "新規相談者", "新規")),
    Code(
        "social_participation_persons",
        "社会参加移行者数",
        "Persons moving into social participation",
        ("社会参加移行者数", "社会参加者数"),
    ),
    Code(
        "training_persons", "職業訓練等移行者数", "Persons moving into training", ("職業訓練等移行者数", "訓練移行者数")
    ),
)

NATIONAL_LABELS: tuple[str, ...] = ("全国", "national", "国", "全体", "00")

# Earliest date a record may carry: the program's predecessors started in the 1990s; anything
# older is a typo (e.g. 平成 written for 令和).
EARLIEST_RECORD_DATE = "1990-01-01"
