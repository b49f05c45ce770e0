<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>core</name>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="14"/>
        <source>reading the weights</source>
        <translation>가중치 읽는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="15"/>
        <source>reading the data</source>
        <translation>데이터 읽는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="16"/>
        <source>tokenizing</source>
        <translation>토큰화하는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="17"/>
        <source>loading the models</source>
        <translation>모델 불러오는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="18"/>
        <source>reading the base model</source>
        <translation>기본 모델 읽는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="19"/>
        <source>merging the adapter</source>
        <translation>어댑터 병합 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="20"/>
        <source>writing the merged model</source>
        <translation>병합된 모델 쓰는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="21"/>
        <source>answering validation row %1 of %2</source>
        <translation>검증 행 %2개 중 %1번째에 답하는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="22"/>
        <source>embedding %1 of %2</source>
        <translation>%2개 중 %1개 임베딩</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="23"/>
        <source>scoring %1 of %2</source>
        <translation>%2개 중 %1개 채점</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="24"/>
        <source>evaluating the model before training: %1 of %2 validation rows</source>
        <translation>학습 전 모델 평가 중: 검증 행 %2개 중 %1개</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="25"/>
        <source>%1 training rows, %2 validation rows, %3 steps</source>
        <translation>학습 행 %1개, 검증 행 %2개, %3 스텝</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="26"/>
        <source>before training</source>
        <translation>학습 전</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="28"/>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="29"/>
        <source>the model&apos;s own (Jinja)</source>
        <translation>모델 자체 템플릿(Jinja)</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="30"/>
        <source>learned</source>
        <translation>학습된 위치 임베딩</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="31"/>
        <source>learned, counted from padding_idx + 1</source>
        <translation>학습된 위치 임베딩(padding_idx + 1부터)</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="32"/>
        <source>RoPE theta=%1</source>
        <translation>RoPE theta=%1</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="34"/>
        <source>skipped</source>
        <translation>건너뜀</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="35"/>
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="36"/>
        <source>partial</source>
        <translation>일부만</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="37"/>
        <source>flagged</source>
        <translation>경고 표시</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="38"/>
        <source>needs a password</source>
        <translation>암호 필요</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="39"/>
        <source>missing</source>
        <translation>찾을 수 없음</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="40"/>
        <source>its folder is not there (a drive not connected, or the folder moved or renamed); kept until you remove it, and found again when added from its new place</source>
        <translation>폴더가 없습니다(드라이브가 연결되지 않았거나 폴더를 옮기거나 이름을 바꾼 경우). 직접 제거할 때까지 남겨 두며, 새 위치에서 추가하면 다시 찾습니다</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="41"/>
        <source>no text found</source>
        <translation>텍스트를 찾지 못함</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="40"/>
        <source>the PDF is protected with a password; save a copy without it to add it</source>
        <translation>PDF가 암호로 보호되어 있습니다. 암호 없이 사본을 저장해 추가하세요</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="41"/>
        <source>the PDF is damaged and cannot be read</source>
        <translation>PDF가 손상되어 읽을 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="42"/>
        <source>not a PDF file (no %PDF header)</source>
        <translation>PDF 파일이 아닙니다(%PDF 머리글 없음)</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="43"/>
        <source>not a complete Word document (word/document.xml is missing)</source>
        <translation>완전한 워드 문서가 아닙니다(word/document.xml 없음)</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="44"/>
        <source>not a Word .docx file (it is not a zip archive)</source>
        <translation>워드 .docx 파일이 아닙니다(zip 압축 파일이 아님)</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="45"/>
        <source>the file is damaged or incomplete (its zip structure is inconsistent)</source>
        <translation>파일이 손상되었거나 불완전합니다(zip 구조가 맞지 않음)</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="46"/>
        <source>not a kind of file Collections reads (PDF, Word .docx, HTML, Markdown, text, CSV)</source>
        <translation>컬렉션이 읽는 파일 종류가 아닙니다(PDF, 워드 .docx, HTML, 마크다운, 텍스트, CSV)</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="47"/>
        <source>page %1: no text layer; OCR is not available (install Tesseract&apos;s language data, such as tesseract-ocr-eng)</source>
        <translation>%1쪽: 텍스트 층이 없고 OCR을 쓸 수 없습니다(tesseract-ocr-eng 같은 Tesseract 언어 데이터를 설치하세요)</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="48"/>
        <source>page %1: no text layer; OCR is turned off</source>
        <translation>%1쪽: 텍스트 층이 없고 OCR이 꺼져 있습니다</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="49"/>
        <source>page %1: no text layer, and OCR found no text on it</source>
        <translation>%1쪽: 텍스트 층이 없고 OCR로도 텍스트를 찾지 못했습니다</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="50"/>
        <source>page %1: damaged, left out</source>
        <translation>%1쪽: 손상되어 뺐습니다</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="51"/>
        <source>page %1 of %2</source>
        <translation>%2쪽 중 %1쪽</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="52"/>
        <source>reading page %1 of %2 with OCR</source>
        <translation>%2쪽 중 %1쪽을 OCR로 읽는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="53"/>
        <source>read %1 pages</source>
        <translation>%1쪽을 읽음</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="54"/>
        <source>searching the collection</source>
        <translation>컬렉션 검색 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="55"/>
        <source>answering</source>
        <translation>답변 작성 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="56"/>
        <source>indexing vectors: %1 of %2</source>
        <translation>벡터 색인 중: %2개 중 %1개</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="57"/>
        <source>loading the embedder</source>
        <translation>임베딩 모델 불러오는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="58"/>
        <source>reading vectors</source>
        <translation>벡터 읽는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="59"/>
        <source>finding the main directions</source>
        <translation>주요 방향 찾는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="60"/>
        <source>placing the chunks</source>
        <translation>청크 배치 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="61"/>
        <source>writing the demo handbook</source>
        <translation>데모 안내서 쓰는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="62"/>
        <source>training the demo embedder</source>
        <translation>데모 임베더 학습 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="63"/>
        <source>making the embedder&apos;s tokenizer</source>
        <translation>임베더 토크나이저 만드는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="64"/>
        <source>training the embedder: step %1 of %2</source>
        <translation>임베더 학습: %2단계 중 %1단계</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="65"/>
        <source>adding the handbook</source>
        <translation>안내서 추가 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="66"/>
        <source>measuring retrieval</source>
        <translation>검색 성능 측정 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="67"/>
        <source>pretraining the demo reader</source>
        <translation>데모 독해 모델 사전학습 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="68"/>
        <source>writing reading-comprehension text</source>
        <translation>독해 학습용 글 쓰는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="69"/>
        <source>making the reader&apos;s tokenizer</source>
        <translation>독해 모델 토크나이저 만드는 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="70"/>
        <source>pretraining the demo reader, stage %1 of %2: step %3 of %4</source>
        <translation>데모 독해 모델 사전학습 %1/%2단계: %4 스텝 중 %3</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="71"/>
        <source>the demo was stopped</source>
        <translation>데모를 멈췄습니다</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="72"/>
        <source>done</source>
        <translation>완료</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="73"/>
        <source>the index file is missing</source>
        <translation>색인 파일이 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="74"/>
        <source>the index file does not match its checksum (damaged, or from an interrupted save)</source>
        <translation>색인 파일이 체크섬과 맞지 않습니다(손상되었거나 저장이 중단됨)</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="75"/>
        <source>the index holds %1 vectors; the collection has %2</source>
        <translation>색인에는 벡터가 %1개 있지만 컬렉션에는 %2개가 있습니다</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/core_text.cpp" line="76"/>
        <source>the question and its best source take %1 tokens; the model reads at most %2 (use smaller chunks, or a model with a longer context)</source>
        <translation>질문과 가장 알맞은 출처가 %1토큰인데 모델은 최대 %2토큰까지 읽습니다(청크를 더 작게 하거나 문맥이 더 긴 모델을 쓰세요)</translation>
    </message>
</context>
<context>
    <name>fm::ui::CaptionerTrainer</name>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="42"/>
        <source>Teach a language model to describe pictures: the CLIP above sees each picture, a small network learns to turn what it sees into words.</source>
        <translation>언어 모델에게 그림 설명을 가르칩니다: 위의 CLIP이 그림을 보고, 작은 신경망이 본 것을 말로 바꾸도록 학습합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="45"/>
        <source>CLIP stays as it is. The small network turns CLIP&apos;s view of a picture into a few vectors put before the caption; the language model learns to continue them with the caption. A metadata.csv needs file_name and caption columns.</source>
        <translation>CLIP은 바뀌지 않습니다. 작은 신경망이 CLIP이 본 그림을 캡션 앞에 놓일 벡터 몇 개로 바꾸고, 언어 모델은 그 뒤를 캡션으로 이어 쓰도록 학습합니다. metadata.csv에는 file_name과 caption 열이 있어야 합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="50"/>
        <source>No language model</source>
        <translation>언어 모델 없음</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="53"/>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="62"/>
        <source>Choose…</source>
        <translation>선택…</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="56"/>
        <source>Language model:</source>
        <translation>언어 모델:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="58"/>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="147"/>
        <source>The pictures folder above</source>
        <translation>위의 그림 폴더</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="59"/>
        <source>NAME.txt beside each picture, or a metadata.csv with file_name and caption columns</source>
        <translation>그림마다 옆에 NAME.txt, 또는 file_name과 caption 열이 있는 metadata.csv</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="65"/>
        <source>Pictures with captions:</source>
        <translation>캡션 달린 그림:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="68"/>
        <source>LoRA on the language model</source>
        <translation>언어 모델에 LoRA</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="69"/>
        <source>Language model unchanged</source>
        <translation>언어 모델은 그대로</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="70"/>
        <source>Every weight of the language model</source>
        <translation>언어 모델의 모든 가중치</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="71"/>
        <source>What learns besides the small network: a LoRA adapter (a few weights, recommended), nothing, or the whole language model (most memory)</source>
        <translation>작은 신경망 말고 무엇을 학습할지: LoRA 어댑터(가중치 조금, 권장), 없음, 또는 언어 모델 전체(메모리 가장 많이)</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="77"/>
        <source>Epochs:</source>
        <translation>에포크:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="79"/>
        <source>Training:</source>
        <translation>학습:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="82"/>
        <source>Train</source>
        <translation>학습</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="83"/>
        <source>Stop</source>
        <translation>멈춤</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="84"/>
        <source>Resume</source>
        <translation>재개</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="85"/>
        <source>Continue the stopped run from its last checkpoint</source>
        <translation>멈춘 실행을 마지막 체크포인트부터 이어 갑니다</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="102"/>
        <source>Held-out picture</source>
        <translation>평가용 그림</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="102"/>
        <source>Its caption now</source>
        <translation>지금 쓰는 캡션</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="102"/>
        <source>Caption in the data</source>
        <translation>데이터의 캡션</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="121"/>
        <source>Choose a language model folder</source>
        <translation>언어 모델 폴더 선택</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="125"/>
        <source>Choose a folder of pictures with captions</source>
        <translation>캡션 달린 그림 폴더 선택</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="180"/>
        <source>Choose a CLIP model first (the model above): the captioner sees pictures through it.</source>
        <translation>먼저 CLIP 모델(위의 모델)을 고르세요: 캡셔너는 이 모델로 그림을 봅니다.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="184"/>
        <source>Choose a language model: it writes the captions.</source>
        <translation>언어 모델을 고르세요: 캡션은 이 모델이 씁니다.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="188"/>
        <source>Choose a folder of pictures with captions.</source>
        <translation>캡션 달린 그림 폴더를 고르세요.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="205"/>
        <source>Stopping at the next step; a checkpoint is saved…</source>
        <translation>다음 스텝에서 멈추고 체크포인트를 저장합니다…</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="227"/>
        <source>Resume %1</source>
        <translation>%1 재개</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="227"/>
        <source>Train captioner %1</source>
        <translation>캡셔너 학습 %1</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="232"/>
        <source>step %1 of %2</source>
        <translation>%2 스텝 중 %1</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="252"/>
        <source>(nothing yet)</source>
        <translation>(아직 없음)</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="253"/>
        <source>at step %1</source>
        <translation>%1 스텝에서</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="266"/>
        <source>step %1 / %2 · loss %3 · %4 left</source>
        <translation>스텝 %1 / %2 · 손실 %3 · %4 남음</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="285"/>
        <source>Resuming %1…</source>
        <translation>%1 재개하는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="285"/>
        <source>Reading the pictures, then training; the run is kept in %1</source>
        <translation>그림을 읽은 뒤 학습합니다. 실행은 %1에 남습니다</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="290"/>
        <source>Stopped before the first step; nothing was trained.</source>
        <translation>첫 스텝 전에 멈췄습니다. 학습된 것은 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="292"/>
        <source>Trained: held-out loss %1 → %2. The captioner is in %3 and is open in the Captions tab.</source>
        <translation>학습 완료: 평가 손실 %1 → %2. 캡셔너는 %3에 있고 캡션 탭에 열려 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="298"/>
        <source>Stopped before training started; nothing was written.</source>
        <translation>학습이 시작되기 전에 멈췄습니다. 저장된 것은 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/captioner_trainer.cpp" line="300"/>
        <source>Stopped at step %1 of %2. The checkpoint is kept: press Resume to continue.</source>
        <translation>%2 스텝 중 %1에서 멈췄습니다. 체크포인트가 남아 있으니 재개를 누르면 이어 갑니다.</translation>
    </message>
</context>
<context>
    <name>fm::ui::ChunkMapView</name>
    <message>
        <location filename="../../ui/collections/chunk_map_view.cpp" line="137"/>
        <source>The collection has no chunks yet.</source>
        <translation>이 컬렉션에는 아직 청크가 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/chunk_map_view.cpp" line="137"/>
        <source>The map is drawn when this tab is shown.</source>
        <translation>이 탭을 열면 지도를 그립니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/chunk_map_view.cpp" line="195"/>
        <source>%1 of %2 chunks</source>
        <translation>청크 %2개 중 %1개</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/collections/chunk_map_view.cpp" line="196"/>
        <source>%n chunk(s)</source>
        <translation>
            <numerusform>청크 %n개</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/collections/chunk_map_view.cpp" line="198"/>
        <source>%1 · across: %2% of the spread · up: %3% · ★ the question, ○ what it found</source>
        <translation>%1 · 가로: 분산의 %2% · 세로: %3% · ★ 질문, ○ 찾은 청크</translation>
    </message>
    <message>
        <location filename="../../ui/collections/chunk_map_view.cpp" line="208"/>
        <source>document %1</source>
        <translation>문서 %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/collections/chunk_map_view.cpp" line="211"/>
        <source>+%n more</source>
        <translation>
            <numerusform>외 %n개</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fm::ui::CollectionsPanel</name>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="214"/>
        <source>, page %1</source>
        <translation>, %1쪽</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="215"/>
        <source>, lines %1-%2</source>
        <translation>, %1-%2행</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="225"/>
        <source>ingested</source>
        <translation>색인됨</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="226"/>
        <source>pages without text</source>
        <translation>텍스트 없는 쪽 있음</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="627"/>
        <source>file not found</source>
        <translation>파일 없음</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="628"/>
        <source>Not at %1 any more. Its chunks stay searchable; add the file from its new place to follow it, or remove the document.</source>
        <translation>%1에 더 이상 없습니다. 청크는 계속 검색됩니다. 새 위치에서 파일을 추가하면 따라가고, 필요 없으면 문서를 제거하십시오.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="227"/>
        <source>skipped</source>
        <translation>건너뜀</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="228"/>
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="229"/>
        <source>needs a password</source>
        <translation>암호 필요</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="253"/>
        <source>Collections</source>
        <translation>컬렉션</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="255"/>
        <source>Each collection is a folder with its documents&apos; text, chunks and vectors</source>
        <translation>컬렉션마다 문서의 텍스트, 청크, 벡터를 담은 폴더가 하나 있습니다</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="257"/>
        <source>New collection…</source>
        <translation>새 컬렉션…</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="258"/>
        <source>Demo collection</source>
        <translation>데모 컬렉션</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="259"/>
        <source>A generated handbook in English and Korean, with an embedder and a reader model trained here from scratch: about 70 minutes on two cores, no download</source>
        <translation>영어와 한국어로 만든 안내서에, 이 컴퓨터에서 처음부터 학습하는 임베더와 독해 모델: 코어 두 개로 70분쯤 걸리며 내려받을 것이 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="261"/>
        <source>Add files…</source>
        <translation>파일 추가…</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="262"/>
        <source>Add a folder…</source>
        <translation>폴더 추가…</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="263"/>
        <source>Add pictures…</source>
        <translation>그림 추가…</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="264"/>
        <source>A folder of pictures, found by the same questions through an image-text model (CLIP)</source>
        <translation>그림 폴더: 같은 질문으로 이미지-텍스트 모델(CLIP)이 찾아 줍니다</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="265"/>
        <source>Sync</source>
        <translation>동기화</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="266"/>
        <source>Read changed files again and drop deleted ones</source>
        <translation>바뀐 파일은 다시 읽고 삭제된 파일은 뺍니다</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="267"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="962"/>
        <source>Remove document</source>
        <translation>문서 제거</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="268"/>
        <source>Change embedder…</source>
        <translation>임베더 바꾸기…</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="269"/>
        <source>Embed every document again with another embedder model</source>
        <translation>모든 문서를 다른 임베더 모델로 다시 임베딩합니다</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="285"/>
        <source>Create a collection, then drop documents here: PDF, Word, HTML, Markdown, text, CSV.</source>
        <translation>컬렉션을 만든 뒤 문서를 여기에 끌어다 놓으세요: PDF, 워드, HTML, 마크다운, 텍스트, CSV.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="289"/>
        <source>Document</source>
        <translation>문서</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="289"/>
        <source>Status</source>
        <translation>상태</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="289"/>
        <source>Pages</source>
        <translation>쪽 수</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="289"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="377"/>
        <source>Chunks</source>
        <translation>청크</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="289"/>
        <source>Notes</source>
        <translation>메모</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="296"/>
        <source>Double-click a document to see its chunks</source>
        <translation>문서를 두 번 클릭하면 청크를 볼 수 있습니다</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="305"/>
        <source>Words or a question</source>
        <translation>단어 또는 질문</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="307"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="1480"/>
        <source>hybrid</source>
        <translation>하이브리드</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="308"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="1478"/>
        <source>dense</source>
        <translation>밀집(벡터)</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="309"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="1479"/>
        <source>keyword</source>
        <translation>키워드</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="310"/>
        <source>Dense: by meaning (vectors). Keyword: by words (BM25). Hybrid: both, fused by rank.</source>
        <translation>밀집: 의미로 찾기(벡터). 키워드: 단어로 찾기(BM25). 하이브리드: 둘 다 찾아 순위로 합칩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="311"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="325"/>
        <source>Rerank</source>
        <translation>재순위</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="312"/>
        <source>Score the best candidates again with the collection&apos;s reranker (slower)</source>
        <translation>상위 후보를 컬렉션의 재순위 모델로 다시 채점합니다(더 느림)</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="316"/>
        <source>How many results</source>
        <translation>결과 개수</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="317"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="358"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="999"/>
        <source>Search</source>
        <translation>검색</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="325"/>
        <source>Where</source>
        <translation>위치</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="325"/>
        <source>Dense</source>
        <translation>밀집</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="325"/>
        <source>Keyword</source>
        <translation>키워드</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="325"/>
        <source>Fused</source>
        <translation>융합</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="325"/>
        <source>Section</source>
        <translation>절</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="333"/>
        <source>Each stage&apos;s score and rank: why a chunk came up. Double-click to open it in place.</source>
        <translation>단계별 점수와 순위: 청크가 검색된 이유입니다. 두 번 클릭하면 원래 자리에서 엽니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="348"/>
        <source>The collection&apos;s pictures closest to the same words (CLIP); double-click to open one</source>
        <translation>같은 말에 가장 가까운 컬렉션의 그림(CLIP)입니다. 두 번 클릭하면 열립니다</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="364"/>
        <source>A question about the documents</source>
        <translation>문서에 관한 질문</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="365"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="373"/>
        <source>Ask</source>
        <translation>질문하기</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="366"/>
        <source>Answer with the language model in use, from the best passages, citing them as [n]</source>
        <translation>사용 중인 언어 모델이 가장 알맞은 구절로 답하고 [n] 형태로 출처를 밝힙니다</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="376"/>
        <source>Double-click a document to see how it was cut into chunks.</source>
        <translation>문서를 두 번 클릭하면 청크로 나뉜 모습을 볼 수 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="382"/>
        <source>Each dot is a chunk, placed by its vector: near dots usually mean similar text. Search to see where a question lands.</source>
        <translation>점 하나가 청크 하나이며 벡터에 따라 놓입니다. 가까운 점은 대개 비슷한 글입니다. 검색하면 질문이 어디에 놓이는지 보입니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="389"/>
        <source>Two directions cannot hold a whole vector: dots far apart here are far apart, but some dots that look close are not. Ranks come from the full vectors. Click a dot to read it.</source>
        <translation>두 방향으로는 벡터 전체를 담을 수 없습니다. 여기서 멀리 떨어진 점은 실제로도 멀지만, 가까워 보이는 점이 실제로는 멀 수도 있습니다. 순위는 전체 벡터로 정합니다. 점을 누르면 내용을 읽을 수 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="393"/>
        <source>Map</source>
        <translation>지도</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="399"/>
        <source>A question set: CSV or JSONL with question, document, page, phrase</source>
        <translation>질문 세트: question, document, page, phrase 열이 있는 CSV 또는 JSONL</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="400"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="687"/>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="401"/>
        <source>Run</source>
        <translation>실행</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="407"/>
        <source>Setting</source>
        <translation>설정</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="407"/>
        <source>Recall@k</source>
        <translation>Recall@k</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="407"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="1498"/>
        <source>MRR</source>
        <translation>MRR</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="407"/>
        <source>Time per question</source>
        <translation>질문당 시간</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="420"/>
        <source>Test bench</source>
        <translation>검색 평가</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="443"/>
        <source>The new embedder&apos;s model folder</source>
        <translation>새 임베더의 모델 폴더</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="478"/>
        <source>Question set</source>
        <translation>질문 세트</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="479"/>
        <source>Question sets (*.csv *.jsonl *.json *.tsv)</source>
        <translation>질문 세트 (*.csv *.jsonl *.json *.tsv)</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="536"/>
        <source>No collection yet. Press &quot;New collection…&quot; and choose an embedding model, or &quot;Demo collection&quot; to make one from a generated handbook.</source>
        <translation>아직 컬렉션이 없습니다. &quot;새 컬렉션…&quot;을 누르고 임베딩 모델을 고르거나, &quot;데모 컬렉션&quot;을 눌러 생성된 안내서로 하나 만드세요.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="567"/>
        <source>Open collection %1</source>
        <translation>컬렉션 %1 열기</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="608"/>
        <source>This collection&apos;s embedder is not at %1 any more. Use &quot;Change embedder…&quot; to embed the documents again with another one; keyword search works meanwhile.</source>
        <translation>이 컬렉션의 임베더가 더 이상 %1에 없습니다. &quot;임베더 바꾸기…&quot;로 다른 임베더를 골라 문서를 다시 임베딩하세요. 그동안 키워드 검색은 됩니다.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/collections/collections_panel.cpp" line="626"/>
        <source>%n page(s) read by OCR</source>
        <translation>
            <numerusform>OCR로 읽은 쪽 %n개</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/collections/collections_panel.cpp" line="641"/>
        <source>%n picture(s)</source>
        <translation>
            <numerusform>그림 %n장</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="644"/>
        <source>searched by image-text model %1</source>
        <translation>이미지-텍스트 모델 %1(으)로 검색</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="650"/>
        <source>The collection&apos;s pictures could not be read: %1</source>
        <translation>컬렉션의 그림을 읽을 수 없습니다: %1</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="651"/>
        <source>%1 — %2 documents, %3 chunks · embedder %4 (%5 numbers a vector)</source>
        <translation>%1 — 문서 %2개, 청크 %3개 · 임베딩 모델 %4 (벡터당 숫자 %5개)</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="658"/>
        <source> · approximate index, recall@10 %1 against exact search</source>
        <translation> · 근사 색인, 정확 검색 대비 recall@10 %1</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="662"/>
        <source>The vector index was rebuilt from the stored vectors: %1</source>
        <translation>저장된 벡터로 벡터 색인을 다시 만들었습니다: %1</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="664"/>
        <source>Drop files or folders here, or use &quot;Add files…&quot;.</source>
        <translation>파일이나 폴더를 여기에 끌어다 놓거나 &quot;파일 추가…&quot;를 누르세요.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="678"/>
        <source>New collection</source>
        <translation>새 컬렉션</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="681"/>
        <source>for example: handbook</source>
        <translation>예: 사내 안내서</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="684"/>
        <source>optional</source>
        <translation>선택 사항</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="691"/>
        <source>Model folder</source>
        <translation>모델 폴더</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="701"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="705"/>
        <source> tokens</source>
        <translation> 토큰</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="706"/>
        <source>Mask e-mail addresses, phone and card numbers in the indexed text</source>
        <translation>색인되는 텍스트에서 이메일 주소, 전화번호, 카드 번호를 가립니다</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="708"/>
        <source>exact (best for up to about 100,000 chunks)</source>
        <translation>정확 검색 (청크 약 10만 개까지 적합)</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="709"/>
        <source>approximate, HNSW (faster for large collections)</source>
        <translation>근사 검색, HNSW (큰 컬렉션에서 더 빠름)</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="710"/>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="711"/>
        <source>Embedding model</source>
        <translation>임베딩 모델</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="712"/>
        <source>Reranker</source>
        <translation>재순위 모델</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="713"/>
        <source>Chunk size</source>
        <translation>청크 크기</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="714"/>
        <source>Overlap</source>
        <translation>겹침</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="715"/>
        <source>Vector index</source>
        <translation>벡터 색인</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="730"/>
        <source>Give the collection a name (letters, digits, spaces; no slashes).</source>
        <translation>컬렉션 이름을 정하세요(문자, 숫자, 공백; 슬래시는 안 됩니다).</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="734"/>
        <source>Choose an embedding model folder (a sentence encoder such as MiniLM or E5).</source>
        <translation>임베딩 모델 폴더를 고르세요(MiniLM이나 E5 같은 문장 인코더).</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="739"/>
        <source>A collection named %1 exists already.</source>
        <translation>%1이라는 컬렉션이 이미 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="747"/>
        <source>Create collection %1</source>
        <translation>컬렉션 %1 만들기</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="775"/>
        <source>Collection ready. Drop files or folders here to add them.</source>
        <translation>컬렉션이 준비되었습니다. 파일이나 폴더를 여기에 끌어다 놓아 추가하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="777"/>
        <source>Creating the collection…</source>
        <translation>컬렉션을 만드는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="783"/>
        <source>Add a folder</source>
        <translation>폴더 추가</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="787"/>
        <source>Add files</source>
        <translation>파일 추가</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="787"/>
        <source>Documents (*.pdf *.docx *.html *.htm *.md *.markdown *.txt *.csv *.tsv);;All files (*)</source>
        <translation>문서 (*.pdf *.docx *.html *.htm *.md *.markdown *.txt *.csv *.tsv);;모든 파일 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="807"/>
        <source>The image-text model (CLIP) that makes the pictures searchable</source>
        <translation>그림을 검색할 수 있게 하는 이미지-텍스트 모델(CLIP)</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="810"/>
        <source>Add a folder of pictures</source>
        <translation>그림 폴더 추가</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="816"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="852"/>
        <source>Choose or create a collection first.</source>
        <translation>먼저 컬렉션을 고르거나 만드세요.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="823"/>
        <source>Add pictures to %1</source>
        <translation>%1에 그림 추가</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="838"/>
        <source>%1 pictures searchable; %2 embedded now.</source>
        <translation>그림 %1장을 검색할 수 있습니다. 이번에 %2장을 임베딩했습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="842"/>
        <source>Stopped. The pictures embedded so far are kept; Sync continues.</source>
        <translation>멈췄습니다. 지금까지 임베딩한 그림은 남아 있고, 동기화하면 이어서 합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="846"/>
        <source>Embedding the pictures…</source>
        <translation>그림을 임베딩하는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="860"/>
        <source>Add to %1</source>
        <translation>%1에 추가</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="880"/>
        <source>Added %1, updated %2, unchanged %3, moved %4; %5 chunks in %6.</source>
        <translation>추가 %1, 갱신 %2, 변경 없음 %3, 옮겨짐 %4; 청크 %5개, %6 걸림.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="891"/>
        <source>Stopped. What was added stays; adding the same files again continues where it stopped.</source>
        <translation>중지했습니다. 추가된 것은 남아 있으며, 같은 파일을 다시 추가하면 멈춘 곳부터 이어집니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="895"/>
        <source>Adding… (documents are committed one by one: stopping keeps what is done)</source>
        <translation>추가하는 중… (문서마다 하나씩 저장되므로 중지해도 끝난 것은 남습니다)</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="903"/>
        <source>Sync %1</source>
        <translation>%1 동기화</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="925"/>
        <source>In sync: %1 read again, %2 removed, %3 unchanged.</source>
        <translation>동기화됨: 다시 읽음 %1, 제거 %2, 변경 없음 %3.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="930"/>
        <source>Pictures: %1, %2 embedded again or removed.</source>
        <translation>그림: %1장, %2장을 다시 임베딩하거나 뺐습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="942"/>
        <source>Select a document to remove.</source>
        <translation>제거할 문서를 고르세요.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="947"/>
        <source>Remove pictures</source>
        <translation>그림 빼기</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="948"/>
        <source>Stop searching the pictures in %1? The pictures themselves stay.</source>
        <translation>%1의 그림을 더 이상 검색하지 않을까요? 그림 파일은 그대로 남습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="952"/>
        <source>Remove a picture folder</source>
        <translation>그림 폴더 빼기</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="963"/>
        <source>Remove %1 from the collection? The file itself stays.</source>
        <translation>%1을(를) 컬렉션에서 제거할까요? 파일 자체는 그대로 남습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="967"/>
        <source>Remove a document</source>
        <translation>문서 제거</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="982"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="1220"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="1454"/>
        <source>The collection is still opening.</source>
        <translation>컬렉션을 아직 여는 중입니다.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/collections/collections_panel.cpp" line="1048"/>
        <source>%n result(s). Dense %1 ms, keyword %2 ms%3.</source>
        <translation>
            <numerusform>결과 %n개. 밀집 %1 ms, 키워드 %2 ms%3.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1051"/>
        <source>, rerank %1 ms</source>
        <translation>, 재순위 %1 ms</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1052"/>
        <location filename="../../ui/collections/collections_panel.cpp" line="1290"/>
        <source>Pictures not searched: %1</source>
        <translation>그림은 검색하지 못했습니다: %1</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1061"/>
        <source>Prepare the demo collection</source>
        <translation>데모 컬렉션 준비</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1071"/>
        <source>Preparing the demo collection: a handbook is written, then an embedder and a reader are trained here (about 70 minutes on two cores; stopping keeps what is done, and pressing again continues).</source>
        <translation>데모 컬렉션을 준비합니다. 안내서를 만든 뒤 임베더와 독해 모델을 이 컴퓨터에서 학습합니다(코어 두 개로 70분쯤 걸립니다. 멈춰도 끝난 부분은 남고, 다시 누르면 이어서 합니다).</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1076"/>
        <source>Stopped. The parts that were finished are kept; pressing again continues.</source>
        <translation>멈췄습니다. 끝난 부분은 남아 있으며, 다시 누르면 이어서 합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1083"/>
        <source>For example: Which floor is the Finance office on? / 재무팀 사무실은 몇 층에 있나요?</source>
        <translation>예: 재무팀 사무실은 몇 층에 있나요? / Which floor is the Finance office on?</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1094"/>
        <source>The demo collection is ready: %1 questions in the test bench; Recall@3 hybrid %2%, dense %3%, keyword %4%. In Ask, the demo reader answers citing its sources; it is a beginner, so check what it says against the [n] it cites.</source>
        <translation>데모 컬렉션이 준비되었습니다. 테스트 벤치에 질문 %1개가 있으며 Recall@3은 하이브리드 %2%, 밀집 %3%, 키워드 %4%입니다. 질문하기 탭에서 데모 독해 모델이 출처를 달아 답합니다. 아직 초보 모델이니 답을 인용한 [n]과 맞춰 보세요.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1113"/>
        <source>Map of %1</source>
        <translation>%1 지도</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1157"/>
        <source>Wait for the documents being added to finish, or stop them, first.</source>
        <translation>먼저 추가 중인 문서가 끝나기를 기다리거나 추가를 멈추세요.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1161"/>
        <source>Change embedder</source>
        <translation>임베더 바꾸기</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1162"/>
        <source>Every document in %1 will be read and embedded again with %2. Vectors of two embedders are never mixed, so until a document is done it is found by keywords only. Stopping keeps what is done; Sync finishes the rest.</source>
        <translation>%1의 모든 문서를 다시 읽어 %2(으)로 임베딩합니다. 두 임베더의 벡터는 섞이지 않으므로, 문서가 끝나기 전까지는 키워드로만 찾을 수 있습니다. 멈춰도 끝난 부분은 남고, 동기화가 나머지를 마칩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1171"/>
        <source>Embed %1 again</source>
        <translation>%1 다시 임베딩</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1193"/>
        <source>Stopped. The documents done so far use the new embedder; Sync embeds the rest.</source>
        <translation>멈췄습니다. 지금까지 끝난 문서는 새 임베더를 씁니다. 동기화하면 나머지를 임베딩합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1195"/>
        <source>This is the collection&apos;s embedder: its vectors stay, and the collection now uses it from here.</source>
        <translation>이 컬렉션의 임베더와 같은 모델입니다. 벡터는 그대로 두고, 이제 이 위치의 모델을 씁니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1196"/>
        <source>Every document is embedded with %1 now.</source>
        <translation>이제 모든 문서가 %1(으)로 임베딩되어 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1199"/>
        <source>Embedding every document again…</source>
        <translation>모든 문서를 다시 임베딩하는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1216"/>
        <source>Open a language model first (Models panel, or the demo model): it writes the answer.</source>
        <translation>먼저 언어 모델을 여세요(모델 패널 또는 데모 모델). 답은 언어 모델이 씁니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1236"/>
        <source>Answer</source>
        <translation>답변</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1274"/>
        <source>No passage was close enough to the question, so the model was not asked.</source>
        <translation>질문과 충분히 가까운 구절이 없어 모델에게 묻지 않았습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1277"/>
        <source>Sources</source>
        <translation>출처</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1284"/>
        <source> (cited)</source>
        <translation> (인용됨)</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1287"/>
        <source>The answer cites [%1], which is not one of its sources.</source>
        <translation>답변이 출처에 없는 [%1]을(를) 인용했습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1294"/>
        <source>Pictures close to the question</source>
        <translation>질문에 가까운 그림</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1294"/>
        <source>(found by the image-text model; the answer reads text only)</source>
        <translation>(이미지-텍스트 모델이 찾은 것입니다. 답변은 텍스트만 읽습니다)</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1320"/>
        <source>Open source</source>
        <translation>출처 열기</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1372"/>
        <source>Page %1</source>
        <translation>%1쪽</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1373"/>
        <source>Text</source>
        <translation>텍스트</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1392"/>
        <source>Show chunks</source>
        <translation>청크 보기</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1431"/>
        <source>chunk %1 · %2/%3 tokens</source>
        <translation>청크 %1 · %2/%3 토큰</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/collections/collections_panel.cpp" line="1442"/>
        <source>%n chunk(s); overlaps in orange.</source>
        <translation>
            <numerusform>청크 %n개; 겹치는 부분은 주황색입니다.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1450"/>
        <source>Choose a question set first: a CSV or JSONL file with question and document columns.</source>
        <translation>먼저 질문 세트를 고르세요: question과 document 열이 있는 CSV 또는 JSONL 파일.</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1462"/>
        <source>Retrieval test bench</source>
        <translation>검색 평가</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1481"/>
        <source>hybrid + rerank</source>
        <translation>하이브리드 + 재순위</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1489"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../../ui/collections/collections_panel.cpp" line="1497"/>
        <source>Recall@%1</source>
        <translation>Recall@%1</translation>
    </message>
</context>
<context>
    <name>fm::ui::DatasetTableModel</name>
    <message>
        <location filename="../../ui/datasets/dataset_table_model.cpp" line="73"/>
        <source>Line %1: %2</source>
        <translation>%1행: %2</translation>
    </message>
</context>
<context>
    <name>fm::ui::DatasetsPanel</name>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="85"/>
        <source>No dataset yet: open a CSV, JSONL, Alpaca or ShareGPT file, or drop one on the window.</source>
        <translation>아직 데이터셋이 없습니다: CSV, JSONL, Alpaca 또는 ShareGPT 파일을 열거나 창에 끌어다 놓으세요.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="87"/>
        <source>Open a dataset…</source>
        <translation>데이터셋 열기…</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="88"/>
        <source>Demo reviews</source>
        <translation>데모 리뷰</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="89"/>
        <source>2,400 short product and movie reviews labelled positive or negative</source>
        <translation>긍정 또는 부정으로 레이블된 짧은 제품 및 영화 리뷰 2,400개</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="114"/>
        <source>Prompt template</source>
        <translation>프롬프트 템플릿</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="118"/>
        <source>The text the model reads. {column} is replaced by that column&apos;s value.</source>
        <translation>모델이 읽는 텍스트입니다. {column}은 해당 열의 값으로 바뀝니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="120"/>
        <source>The answer the model learns to write. Only these tokens carry the loss.</source>
        <translation>모델이 작성하도록 학습하는 답입니다. 이 토큰에만 손실이 계산됩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="122"/>
        <source>Insert a column&apos;s placeholder into the prompt</source>
        <translation>열의 자리표시자를 프롬프트에 삽입합니다</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="123"/>
        <source>Also train on the prompt</source>
        <translation>프롬프트도 학습</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="124"/>
        <source>Usually off: the model should learn to answer, not to repeat questions.</source>
        <translation>보통 꺼 둡니다: 모델은 질문을 반복하는 것이 아니라 답하는 법을 배워야 합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="125"/>
        <source>Skip bad rows (and count them)</source>
        <translation>잘못된 행 건너뛰기(개수 집계)</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="129"/>
        <source>Longer rows are cut to this many tokens. Longer needs more memory and time.</source>
        <translation>더 긴 행은 이 토큰 수로 잘립니다. 길수록 메모리와 시간이 더 필요합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="134"/>
        <source>Share of rows held back to measure the model on text it never trained on.</source>
        <translation>모델이 학습하지 않은 텍스트로 측정하기 위해 따로 떼어 두는 행의 비율입니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="138"/>
        <source>The same seed gives the same split.</source>
        <translation>같은 시드면 같은 방식으로 나뉩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="139"/>
        <source>Prompt</source>
        <translation>프롬프트</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="140"/>
        <source>Completion</source>
        <translation>완성</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="141"/>
        <source>Insert column</source>
        <translation>열 삽입</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="144"/>
        <source>Max length (tokens)</source>
        <translation>최대 길이(토큰)</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="145"/>
        <source>Validation share</source>
        <translation>검증 비율</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="146"/>
        <source>Split seed</source>
        <translation>분할 시드</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="148"/>
        <source>Analyze</source>
        <translation>분석</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="149"/>
        <source>Tokenize every row: lengths, labels, duplicates and leakage</source>
        <translation>모든 행을 토큰화합니다: 길이, 레이블, 중복 및 누출</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="150"/>
        <source>Use for fine-tuning</source>
        <translation>파인튜닝에 사용</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="156"/>
        <source>Example (selected row)</source>
        <translation>예시(선택한 행)</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="467"/>
        <source>max length %1</source>
        <translation>최대 길이 %1</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="166"/>
        <source>Before training</source>
        <translation>학습 전</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="168"/>
        <source>Tokens per row</source>
        <translation>행당 토큰 수</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="169"/>
        <source>Labels</source>
        <translation>레이블</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="170"/>
        <source>Analyze to see lengths, labels, duplicates and leakage.</source>
        <translation>분석하면 길이, 레이블, 중복 및 누출을 확인할 수 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="227"/>
        <source>Open a dataset</source>
        <translation>데이터셋 열기</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="228"/>
        <source>Datasets (*.csv *.tsv *.jsonl *.json *.txt)</source>
        <translation>데이터셋 (*.csv *.tsv *.jsonl *.json *.txt)</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="279"/>
        <source>%1 — %2 rows · %3 · columns: %4</source>
        <translation>%1 — %2행 · %3 · 열: %4</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="389"/>
        <source>reading and tokenizing rows</source>
        <translation>행을 읽고 토큰화하는 중</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="204"/>
        <source>Open a dataset first.</source>
        <translation>먼저 데이터셋을 여세요.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="160"/>
        <source>&lt;span style=&apos;background:#b2f2bb;color:#111&apos;&gt;&amp;nbsp;trained tokens&amp;nbsp;&lt;/span&gt; &lt;span style=&apos;color:#868e96&apos;&gt;masked prompt tokens&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;background:#b2f2bb;color:#111&apos;&gt;&amp;nbsp;학습되는 토큰&amp;nbsp;&lt;/span&gt; &lt;span style=&apos;color:#868e96&apos;&gt;마스킹된 프롬프트 토큰&lt;/span&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="253"/>
        <source>Opening %1…</source>
        <translation>%1 여는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="254"/>
        <source>Open %1</source>
        <translation>%1 열기</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="256"/>
        <source>indexing rows</source>
        <translation>행 인덱싱 중</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="267"/>
        <source>Could not open %1</source>
        <translation>%1을(를) 열 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="284"/>
        <source>(choose)</source>
        <translation>(선택)</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="314"/>
        <source>&lt;i&gt;Load a model to see how its tokenizer cuts this row.&lt;/i&gt;</source>
        <translation>&lt;i&gt;모델을 불러오면 토크나이저가 이 행을 어떻게 나누는지 볼 수 있습니다.&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="321"/>
        <source>&lt;p style=&apos;color:#c92a2a&apos;&gt;Line %1: %2&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#c92a2a&apos;&gt;%1행: %2&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="349"/>
        <source>&lt;p style=&apos;color:#c92a2a&apos;&gt;%1&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#c92a2a&apos;&gt;%1&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="350"/>
        <source>This row gives no example.</source>
        <translation>이 행으로는 예시를 만들 수 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="370"/>
        <source>%1 tokens, %2 trained on%3</source>
        <translation>토큰 %1개, 학습 대상 %2개%3</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="371"/>
        <source>, cut from %1</source>
        <translation>, 원래 %1개에서 잘림</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="382"/>
        <source>&lt;span style=&apos;color:#c92a2a&apos;&gt;Open a dataset and load a model (for its tokenizer) first.&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#c92a2a&apos;&gt;먼저 데이터셋을 열고 (토크나이저를 위해) 모델을 불러오세요.&lt;/span&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="387"/>
        <source>Analyze %1</source>
        <translation>%1 분석</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="426"/>
        <source>Analyze tokenizes every row: lengths, labels, duplicates and leakage.</source>
        <translation>분석은 모든 행을 토큰화하여 길이, 레이블, 중복, 유출을 보여 줍니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="459"/>
        <source>rows kept whole</source>
        <translation>잘리지 않은 행</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="463"/>
        <source>rows cut</source>
        <translation>잘린 행</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="496"/>
        <source>Tokens per row: mean %1, p95 %2, longest %3</source>
        <translation>행당 토큰: 평균 %1, p95 %2, 최장 %3</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="502"/>
        <source>rows</source>
        <translation>행</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="526"/>
        <source>Labels (%1)</source>
        <translation>레이블 (%1)</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="528"/>
        <source>Labels: the completion is free text, not a label</source>
        <translation>레이블: 완성 부분이 레이블이 아닌 자유 텍스트입니다</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="532"/>
        <source>%1 rows: %2 for training, %3 for validation.</source>
        <translation>%1개 행: 학습용 %2개, 검증용 %3개.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="534"/>
        <source>%1 rows are longer than %2 tokens and will be cut.</source>
        <translation>%1개 행이 %2 토큰보다 길어 잘립니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="535"/>
        <source>%1 rows repeat an earlier row.</source>
        <translation>%1개 행이 앞의 행과 중복됩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="536"/>
        <source>%1 validation rows also appear in training: validation scores will look better than they are.</source>
        <translation>검증 행 %1개가 학습 데이터에도 있습니다: 검증 점수가 실제보다 좋게 보일 수 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="538"/>
        <source>%1 rows skipped:</source>
        <translation>건너뛴 행 %1개:</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="541"/>
        <source>line %1: %2</source>
        <translation>%1행: %2</translation>
    </message>
    <message>
        <location filename="../../ui/datasets/datasets_panel.cpp" line="543"/>
        <source>No duplicates, no leakage, nothing cut.</source>
        <translation>중복, 누출, 잘린 행이 없습니다.</translation>
    </message>
</context>
<context>
    <name>fm::ui::DemoBanner</name>
    <message>
        <location filename="../../ui/shell/demo_banner.cpp" line="29"/>
        <source>Hide this message</source>
        <translation>이 메시지 숨기기</translation>
    </message>
    <message>
        <location filename="../../ui/shell/demo_banner.cpp" line="77"/>
        <source>about %1 left</source>
        <translation>약 %1 남음</translation>
    </message>
    <message>
        <location filename="../../ui/shell/demo_banner.cpp" line="77"/>
        <source>usually a minute or two</source>
        <translation>보통 1~2분</translation>
    </message>
    <message>
        <location filename="../../ui/shell/demo_banner.cpp" line="79"/>
        <source>&lt;b&gt;Preparing the built-in demo&lt;/b&gt;: a small reviews dataset and a tiny language model trained from scratch on this computer%1, %2. Then open &lt;b&gt;Fine-tune&lt;/b&gt; and press &lt;b&gt;Start&lt;/b&gt;.</source>
        <translation>&lt;b&gt;내장 데모를 준비하는 중&lt;/b&gt;: 작은 리뷰 데이터셋과 이 컴퓨터에서 처음부터 학습하는 작은 언어 모델%1, %2. 그다음 &lt;b&gt;미세 조정&lt;/b&gt;을 열고 &lt;b&gt;시작&lt;/b&gt;을 누르세요.</translation>
    </message>
    <message>
        <location filename="../../ui/shell/demo_banner.cpp" line="89"/>
        <source>Open Fine-tune</source>
        <translation>미세 조정 열기</translation>
    </message>
    <message>
        <location filename="../../ui/shell/demo_banner.cpp" line="92"/>
        <source>&lt;b&gt;The demo is ready.&lt;/b&gt; The tiny model, the reviews and the Quick demo settings are selected: open &lt;b&gt;Fine-tune&lt;/b&gt; and press &lt;b&gt;Start&lt;/b&gt; to teach it to label reviews.</source>
        <translation>&lt;b&gt;데모가 준비되었습니다.&lt;/b&gt; 작은 모델, 리뷰 데이터, 빠른 데모 설정이 선택되었습니다. &lt;b&gt;미세 조정&lt;/b&gt;을 열고 &lt;b&gt;시작&lt;/b&gt;을 눌러 리뷰에 레이블을 붙이도록 가르치세요.</translation>
    </message>
    <message>
        <location filename="../../ui/shell/demo_banner.cpp" line="101"/>
        <source>Try again</source>
        <translation>다시 시도</translation>
    </message>
    <message>
        <location filename="../../ui/shell/demo_banner.cpp" line="104"/>
        <source>&lt;b&gt;The demo could not be prepared&lt;/b&gt;: %1</source>
        <translation>&lt;b&gt;데모를 준비하지 못했습니다&lt;/b&gt;: %1</translation>
    </message>
</context>
<context>
    <name>fm::ui::FinetunePanel</name>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="235"/>
        <source>finished</source>
        <translation>완료됨</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="236"/>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="889"/>
        <source>can resume</source>
        <translation>재개 가능</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="237"/>
        <source>no checkpoint</source>
        <translation>체크포인트 없음</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="252"/>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="580"/>
        <source>Quick demo</source>
        <translation>빠른 데모</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="253"/>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="580"/>
        <source>Balanced</source>
        <translation>균형</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="254"/>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="580"/>
        <source>Thorough</source>
        <translation>정밀</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="260"/>
        <source>Preset</source>
        <translation>프리셋</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="110"/>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="265"/>
        <source>Data</source>
        <translation>데이터</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="194"/>
        <source>full training</source>
        <translation>전체 학습</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="226"/>
        <source>&lt;br&gt;%1 steps in %2, %3 tokens/s. Output: %4</source>
        <translation>&lt;br&gt;%1 스텝, %2 소요, 초당 %3 토큰. 결과: %4</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="265"/>
        <source>Adapter</source>
        <translation>어댑터</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="265"/>
        <source>Training</source>
        <translation>학습</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="265"/>
        <source>Run</source>
        <translation>실행</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="283"/>
        <source>Start</source>
        <translation>시작</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="284"/>
        <source>Start a new run with these settings</source>
        <translation>이 설정으로 새 실행을 시작합니다</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="285"/>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="286"/>
        <source>Stop at the next step; a checkpoint is kept so the run can be resumed</source>
        <translation>다음 스텝에서 멈춥니다. 체크포인트가 보관되므로 실행을 재개할 수 있습니다</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="288"/>
        <source>Resume</source>
        <translation>재개</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="289"/>
        <source>Continue the run selected in the history (or the last one) from its last checkpoint</source>
        <translation>기록에서 선택한 실행(또는 마지막 실행)을 마지막 체크포인트부터 계속합니다</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="313"/>
        <source>When a run ends, its accuracy before and after and a few answers appear here.</source>
        <translation>실행이 끝나면 학습 전후의 정확도와 몇 가지 답변이 여기에 표시됩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="317"/>
        <source>Prompt</source>
        <translation>프롬프트</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="317"/>
        <source>Expected</source>
        <translation>정답</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="317"/>
        <source>Base model</source>
        <translation>기본 모델</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="317"/>
        <source>Fine-tuned</source>
        <translation>파인튜닝됨</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="326"/>
        <source>Export adapter (PEFT)…</source>
        <translation>어댑터 내보내기(PEFT)…</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="327"/>
        <source>Export merged model…</source>
        <translation>병합된 모델 내보내기…</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="328"/>
        <source>Try it in the Playground</source>
        <translation>플레이그라운드에서 사용해 보기</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="336"/>
        <source>Outcome</source>
        <translation>결과</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="340"/>
        <source>Log</source>
        <translation>로그</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="345"/>
        <source>Select a run to replay its chart; select two and press Compare</source>
        <translation>실행을 선택하면 차트를 다시 보여 줍니다. 두 개를 선택하고 비교를 누르세요</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="347"/>
        <source>Compare two runs</source>
        <translation>두 실행 비교</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="348"/>
        <source>Rename…</source>
        <translation>이름 바꾸기…</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="349"/>
        <source>Give the selected run a name of your own</source>
        <translation>선택한 실행에 원하는 이름을 붙입니다</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="350"/>
        <source>Refresh</source>
        <translation>새로 고침</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="356"/>
        <source>Run history</source>
        <translation>실행 기록</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="378"/>
        <source>Choose a run in the history to resume.</source>
        <translation>재개할 실행을 기록에서 선택하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="397"/>
        <source>Rename the run</source>
        <translation>실행 이름 바꾸기</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="397"/>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="401"/>
        <source>Could not rename %1: %2</source>
        <translation>%1의 이름을 바꾸지 못했습니다: %2</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="418"/>
        <source>Eval loss has risen since step %1 while train loss keeps falling: the model is starting to memorise (overfitting). Fewer epochs or more data would help.</source>
        <translation>%1 스텝 이후 학습 손실은 계속 줄지만 평가 손실은 늘고 있습니다: 모델이 암기하기 시작했습니다(과적합). 에폭을 줄이거나 데이터를 늘리면 도움이 됩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="483"/>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="491"/>
        <source>Choose a model folder</source>
        <translation>모델 폴더 선택</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="492"/>
        <source>Choose the training data</source>
        <translation>학습 데이터 선택</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="493"/>
        <source>Datasets (*.csv *.tsv *.jsonl *.json *.txt)</source>
        <translation>데이터셋 (*.csv *.tsv *.jsonl *.json *.txt)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="622"/>
        <source>Waiting for the built-in demo to be prepared</source>
        <translation>내장 데모가 준비되기를 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="633"/>
        <source>Choose a model first: load one in Models (or File ▸ Use the built-in demo), or type its folder in Model.</source>
        <translation>먼저 모델을 고르세요: 모델 패널에서 불러오거나(또는 파일 ▸ 내장 데모 사용), 모델 칸에 폴더를 입력하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="636"/>
        <source>Choose the training data first: open a file in Datasets and press “Use for training”, or type its path in Data.</source>
        <translation>먼저 학습 데이터를 고르세요: 데이터셋 패널에서 파일을 열고 “학습에 사용”을 누르거나, 데이터 칸에 경로를 입력하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="665"/>
        <source>%1 is not a run folder (no config.json).</source>
        <translation>%1은(는) 실행 폴더가 아닙니다(config.json 없음).</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="686"/>
        <source>Resuming %1…</source>
        <translation>%1 재개 중…</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="686"/>
        <source>Training…</source>
        <translation>학습 중…</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="689"/>
        <source>Resuming %1</source>
        <translation>%1 재개 중</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="689"/>
        <source>New run in %1</source>
        <translation>%1에서 새 실행</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="692"/>
        <source>Resume %1</source>
        <translation>%1 재개</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="693"/>
        <source>Fine-tune %1</source>
        <translation>%1 파인튜닝</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="702"/>
        <source>step %1 of %2</source>
        <translation>스텝 %1/%2</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="714"/>
        <source>step %1 / %2</source>
        <translation>스텝 %1 / %2</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="725"/>
        <source>eval at step %1: loss %2, perplexity %3%4</source>
        <translation>%1 스텝 평가: 손실 %2, 퍼플렉서티 %3%4</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="729"/>
        <source>, accuracy %1%</source>
        <translation>, 정확도 %1%</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="220"/>
        <source>&lt;b&gt;Validation accuracy: base %1% → fine-tuned %2%&lt;/b&gt;</source>
        <translation>&lt;b&gt;검증 정확도: 기본 %1% → 파인튜닝 %2%&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="222"/>
        <source>&lt;b&gt;Validation accuracy after fine-tuning: %1%&lt;/b&gt;</source>
        <translation>&lt;b&gt;파인튜닝 후 검증 정확도: %1%&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="224"/>
        <source>&lt;br&gt;Eval loss %1 → %2 (perplexity %3 → %4)</source>
        <translation>&lt;br&gt;평가 손실 %1 → %2 (퍼플렉서티 %3 → %4)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="768"/>
        <source>Stopped. The last checkpoint is kept: press Resume to continue.</source>
        <translation>중지했습니다. 마지막 체크포인트가 보관되어 있으니 재개를 눌러 계속하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="769"/>
        <source>&lt;span style=&apos;color:#c92a2a&apos;&gt;The run failed: %1&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#c92a2a&apos;&gt;실행 실패: %1&lt;/span&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="780"/>
        <source>Stopping at the next step…</source>
        <translation>다음 스텝에서 중지하는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="805"/>
        <source>Answers before and after</source>
        <translation>학습 전후 답변</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="814"/>
        <source>Could not generate the side-by-side answers: %1</source>
        <translation>전후 비교 답변을 생성할 수 없습니다: %1</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="932"/>
        <source>Could not copy %1 to %2</source>
        <translation>%1을(를) %2(으)로 복사할 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="945"/>
        <source>Merge into %1</source>
        <translation>%1(으)로 병합</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="951"/>
        <source>Merge failed: %1</source>
        <translation>병합 실패: %1</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="61"/>
        <source>The model folder to start from. The Models panel sets it.</source>
        <translation>시작점이 되는 모델 폴더입니다. 모델 패널에서 설정됩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="62"/>
        <source>The dataset file. The Datasets panel sets it with its template.</source>
        <translation>데이터셋 파일입니다. 데이터셋 패널에서 템플릿과 함께 설정됩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="63"/>
        <source>How to read the file. &apos;auto&apos; decides from the file name and content.</source>
        <translation>파일을 읽는 방식입니다. &apos;auto&apos;는 파일 이름과 내용으로 판단합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="64"/>
        <source>What the model reads; {column} is replaced by the row&apos;s value.</source>
        <translation>모델이 읽는 내용입니다. {column}은 해당 행의 값으로 바뀝니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="65"/>
        <source>What the model learns to answer. Only these tokens are trained on.</source>
        <translation>모델이 답하도록 학습하는 내용입니다. 이 토큰만 학습에 사용됩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="66"/>
        <source>For chat data: format rows with the model&apos;s own chat template and train on the assistant&apos;s turns.</source>
        <translation>채팅 데이터용: 모델 자체의 채팅 템플릿으로 행을 구성하고 어시스턴트 차례만 학습합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="67"/>
        <source>Also learn to predict the prompt. Usually off.</source>
        <translation>프롬프트도 예측하도록 학습합니다. 보통 꺼 둡니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="68"/>
        <source>Skip rows that cannot be read (they are counted and listed) instead of stopping.</source>
        <translation>읽을 수 없는 행이 있어도 중단하지 않고 건너뜁니다(개수와 목록이 표시됩니다).</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="69"/>
        <source>Share of rows held back to measure progress on unseen text. 0.1 = 10%.</source>
        <translation>처음 보는 텍스트에서 진행 상황을 측정하기 위해 따로 떼어 두는 행의 비율입니다. 0.1 = 10%.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="70"/>
        <source>Longest row in tokens; longer rows are cut. Lower it if memory runs short.</source>
        <translation>토큰 기준 최대 행 길이입니다. 더 긴 행은 잘립니다. 메모리가 부족하면 낮추세요.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="71"/>
        <source>lora: train small adapters, fast and light (recommended). full: train every weight.</source>
        <translation>lora: 작은 어댑터를 학습합니다. 빠르고 가볍습니다(권장). full: 모든 가중치를 학습합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="72"/>
        <source>Adapter rank: how much the adapter can learn. 8-16 is typical; higher learns more but is slower.</source>
        <translation>어댑터 랭크: 어댑터가 학습할 수 있는 양입니다. 보통 8-16이며, 높을수록 더 많이 학습하지만 느려집니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="73"/>
        <source>Adapter strength. Often twice the rank.</source>
        <translation>어댑터 강도입니다. 보통 랭크의 두 배로 설정합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="74"/>
        <source>Randomly drops adapter inputs while training, against overfitting. 0-0.1.</source>
        <translation>학습 중 어댑터 입력을 무작위로 제외하여 과적합을 막습니다. 0-0.1.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="75"/>
        <source>Which layers get adapters: names like q_proj, v_proj, or all-linear.</source>
        <translation>어댑터를 붙일 레이어: q_proj, v_proj 같은 이름 또는 all-linear.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="76"/>
        <source>Rank-stabilised scaling (alpha/sqrt(r)); helps with high ranks.</source>
        <translation>랭크 안정화 스케일링(alpha/sqrt(r))입니다. 랭크가 높을 때 도움이 됩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="77"/>
        <source>How many times to go through the training rows. More helps small datasets, until it overfits.</source>
        <translation>학습 행 전체를 몇 번 반복할지 정합니다. 작은 데이터셋에서는 늘릴수록 도움이 되지만, 과적합이 생기기 전까지입니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="78"/>
        <source>Stop after this many steps instead (-1: use epochs).</source>
        <translation>에폭 대신 이 스텝 수만큼 진행한 뒤 멈춥니다(-1: 에폭 사용).</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="79"/>
        <source>Rows per step. Larger is smoother but needs more memory.</source>
        <translation>스텝당 행 수입니다. 클수록 학습이 안정되지만 메모리가 더 필요합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="80"/>
        <source>Add up several batches before each update: a bigger batch without more memory.</source>
        <translation>여러 배치를 합산한 뒤 한 번 업데이트합니다: 메모리를 더 쓰지 않고 배치를 키우는 효과입니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="81"/>
        <source>Learning rate: the size of each update. Too high and the loss jumps or turns NaN; too low and nothing is learned.</source>
        <translation>학습률: 각 업데이트의 크기입니다. 너무 높으면 손실이 튀거나 NaN이 되고, 너무 낮으면 아무것도 학습되지 않습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="82"/>
        <source>How the learning rate changes over the run: constant, linear decay or cosine decay.</source>
        <translation>실행 중 학습률이 변하는 방식입니다: 고정, 선형 감소 또는 코사인 감소.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="83"/>
        <source>Steps at the start with a rising learning rate, for a gentle start.</source>
        <translation>시작 시 학습률을 점차 높이는 스텝 수로, 학습을 부드럽게 시작하게 합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="84"/>
        <source>Warmup as a share of all steps (used when warmup steps is 0).</source>
        <translation>전체 스텝 중 워밍업 비율입니다(워밍업 스텝이 0일 때 사용).</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="85"/>
        <source>Pulls weights toward zero a little each step, against overfitting.</source>
        <translation>매 스텝 가중치를 조금씩 0 쪽으로 당겨 과적합을 막습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="86"/>
        <source>Caps the size of each update (gradient clipping). 1.0 is a safe default; 0 turns it off.</source>
        <translation>각 업데이트의 크기를 제한합니다(그래디언트 클리핑). 1.0이 안전한 기본값이며, 0이면 끕니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="87"/>
        <source>AdamW momentum. Rarely changed.</source>
        <translation>AdamW 모멘텀입니다. 거의 바꿀 필요가 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="88"/>
        <source>AdamW second-moment decay. Rarely changed.</source>
        <translation>AdamW 2차 모멘트 감쇠율입니다. 거의 바꿀 필요가 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="89"/>
        <source>AdamW epsilon. Rarely changed.</source>
        <translation>AdamW 엡실론입니다. 거의 바꿀 필요가 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="90"/>
        <source>Fixes every random choice: the same seed and settings give the same run.</source>
        <translation>모든 무작위 선택을 고정합니다: 시드와 설정이 같으면 같은 실행 결과가 나옵니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="91"/>
        <source>Add a point to the chart every this many steps.</source>
        <translation>이 스텝 수마다 차트에 점을 하나 추가합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="92"/>
        <source>Measure on the validation rows every this many steps (0: only at the start and the end).</source>
        <translation>이 스텝 수마다 검증 행으로 측정합니다(0: 시작과 끝에만).</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="93"/>
        <source>Measure the model before training, to compare before and after.</source>
        <translation>학습 전에 모델을 측정하여 전후를 비교합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="94"/>
        <source>Validation rows used per measurement (-1: all). Fewer is faster.</source>
        <translation>측정마다 사용할 검증 행 수입니다(-1: 전체). 적을수록 빠릅니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="95"/>
        <source>Save a checkpoint every this many steps, to resume after a stop or crash (0: by time only).</source>
        <translation>이 스텝 수마다 체크포인트를 저장하여 중지나 충돌 후 재개할 수 있게 합니다(0: 시간 기준으로만).</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="96"/>
        <source>Also save a checkpoint after this many minutes of training, so a crash loses minutes, not the run (0: off).</source>
        <translation>학습이 이 시간(분)만큼 진행될 때마다 체크포인트도 저장하여, 충돌해도 학습 전체가 아니라 몇 분만 잃게 합니다(0: 끄기).</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="97"/>
        <source>How many checkpoints to keep on disk.</source>
        <translation>디스크에 보관할 체크포인트 수입니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="98"/>
        <source>The run folder. Empty: a new folder under runs/ in the workspace.</source>
        <translation>실행 폴더입니다. 비워 두면 워크스페이스의 runs/ 아래에 새 폴더를 만듭니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="99"/>
        <source>CPU threads for training (0: the application&apos;s setting).</source>
        <translation>학습에 사용할 CPU 스레드 수입니다(0: 애플리케이션 설정 사용).</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="100"/>
        <source>Refuse settings that need more memory than this (0: the memory this computer has free).</source>
        <translation>이보다 많은 메모리가 필요한 설정은 거부합니다(0: 이 컴퓨터의 여유 메모리).</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="109"/>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="111"/>
        <source>File format</source>
        <translation>파일 형식</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="112"/>
        <source>Prompt template</source>
        <translation>프롬프트 템플릿</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="113"/>
        <source>Answer template</source>
        <translation>답변 템플릿</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="114"/>
        <source>Use the chat template</source>
        <translation>채팅 템플릿 사용</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="115"/>
        <source>Also learn the prompt</source>
        <translation>프롬프트도 학습</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="116"/>
        <source>Skip unreadable rows</source>
        <translation>읽을 수 없는 행 건너뛰기</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="117"/>
        <source>Held-back share</source>
        <translation>검증용 비율</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="118"/>
        <source>Longest row (tokens)</source>
        <translation>최대 행 길이(토큰)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="119"/>
        <source>Method</source>
        <translation>방법</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="120"/>
        <source>LoRA rank</source>
        <translation>LoRA 랭크</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="121"/>
        <source>LoRA strength (alpha)</source>
        <translation>LoRA 강도(alpha)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="122"/>
        <source>LoRA dropout</source>
        <translation>LoRA 드롭아웃</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="123"/>
        <source>Layers with adapters</source>
        <translation>어댑터를 붙일 레이어</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="124"/>
        <source>Rank-stabilised scaling</source>
        <translation>랭크 안정화 스케일링</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="125"/>
        <source>Passes over the data (epochs)</source>
        <translation>데이터 반복 횟수(에포크)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="126"/>
        <source>Step limit</source>
        <translation>스텝 제한</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="127"/>
        <source>Rows per step (batch)</source>
        <translation>스텝당 행 수(배치)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="128"/>
        <source>Batches per update</source>
        <translation>업데이트당 배치 수</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="129"/>
        <source>Learning rate</source>
        <translation>학습률</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="130"/>
        <source>Learning-rate schedule</source>
        <translation>학습률 스케줄</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="131"/>
        <source>Warm-up steps</source>
        <translation>워밍업 스텝</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="132"/>
        <source>Warm-up share</source>
        <translation>워밍업 비율</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="133"/>
        <source>Weight decay</source>
        <translation>가중치 감쇠</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="134"/>
        <source>Largest update (gradient clipping)</source>
        <translation>최대 업데이트 크기(그래디언트 클리핑)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="135"/>
        <source>AdamW momentum (beta1)</source>
        <translation>AdamW 모멘텀(beta1)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="136"/>
        <source>AdamW beta2</source>
        <translation>AdamW beta2</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="137"/>
        <source>AdamW epsilon</source>
        <translation>AdamW 엡실론</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="138"/>
        <source>Random seed</source>
        <translation>난수 시드</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="139"/>
        <source>Chart point every (steps)</source>
        <translation>차트 점 간격(스텝)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="140"/>
        <source>Measure every (steps)</source>
        <translation>측정 간격(스텝)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="141"/>
        <source>Measure before training</source>
        <translation>학습 전에 측정</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="142"/>
        <source>Rows per measurement</source>
        <translation>측정당 행 수</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="143"/>
        <source>Save every (steps)</source>
        <translation>저장 간격(스텝)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="144"/>
        <source>Save every (minutes)</source>
        <translation>저장 간격(분)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="145"/>
        <source>Checkpoints to keep</source>
        <translation>보관할 체크포인트 수</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="146"/>
        <source>Run folder</source>
        <translation>실행 폴더</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="147"/>
        <source>CPU threads</source>
        <translation>CPU 스레드</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="148"/>
        <source>Memory limit (GB)</source>
        <translation>메모리 제한(GB)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="165"/>
        <source>no limit (use the passes)</source>
        <translation>제한 없음(반복 횟수 사용)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="166"/>
        <source>all rows</source>
        <translation>모든 행</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="167"/>
        <source>at the start and the end</source>
        <translation>시작과 끝에만</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="168"/>
        <source>by time only</source>
        <translation>시간 기준으로만</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="169"/>
        <source>off</source>
        <translation>끔</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="170"/>
        <source>the application&apos;s setting</source>
        <translation>앱 설정 사용</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="171"/>
        <source>none (or the warm-up share)</source>
        <translation>없음(또는 워밍업 비율)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="251"/>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="580"/>
        <source>Class demo</source>
        <translation>수업용 데모</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="255"/>
        <source>Class demo: about a minute on two cores, and the demo model still goes from guessing to right. Quick demo: a short first try. Balanced: a good first real run. Thorough: more epochs and a larger adapter for the best result. The time each took here is shown once it has run.</source>
        <translation>수업용 데모: 2코어에서 약 1분, 데모 모델이 찍기 수준에서 정답 수준으로 좋아지는 것을 보여 줍니다. 빠른 데모: 짧은 첫 시도. 균형: 실제 데이터로 하는 좋은 첫 실행. 꼼꼼하게: 더 많은 에포크와 더 큰 어댑터로 최선의 결과. 한 번 실행하면 이 컴퓨터에서 걸린 시간이 표시됩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="583"/>
        <source>%1 (took %2 here)</source>
        <translation>%1 (이 컴퓨터에서 %2)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="718"/>
        <source>loss %1 · %2 tokens/s · %3 left</source>
        <translation>손실 %1 · 초당 %2 토큰 · %3 남음</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="828"/>
        <source>Could not keep the answers with the run: %1</source>
        <translation>답변을 실행 폴더에 저장하지 못했습니다: %1</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="890"/>
        <source>This run stopped before the end: press Resume to continue it from its last checkpoint.</source>
        <translation>이 실행은 끝나기 전에 멈췄습니다: 재개를 누르면 마지막 체크포인트부터 이어 갑니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="891"/>
        <source>This run has no checkpoint to resume and no result.</source>
        <translation>이 실행에는 재개할 체크포인트도 결과도 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="910"/>
        <source>%1 is a file. Choose a new or empty folder.</source>
        <translation>%1은(는) 파일입니다. 새 폴더나 빈 폴더를 고르세요.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="914"/>
        <source>%1 already holds files. Choose a new or empty folder, so nothing is overwritten.</source>
        <translation>%1에 이미 파일이 있습니다. 아무것도 덮어쓰지 않도록 새 폴더나 빈 폴더를 고르세요.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="918"/>
        <source>Could not create %1. Choose a folder you can write to.</source>
        <translation>%1을(를) 만들 수 없습니다. 쓸 수 있는 폴더를 고르세요.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="925"/>
        <source>Export the adapter to a new folder</source>
        <translation>어댑터를 새 폴더로 내보내기</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="931"/>
        <source>The adapter (PEFT format) was written to %1</source>
        <translation>어댑터(PEFT 형식)를 %1에 저장했습니다</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="934"/>
        <source>Adapter exported</source>
        <translation>어댑터 내보내기 완료</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="935"/>
        <source>Export failed</source>
        <translation>내보내기 실패</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="939"/>
        <source>Write the merged model into a new folder</source>
        <translation>병합된 모델을 새 폴더에 쓰기</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="950"/>
        <source>The merged model was written to %1</source>
        <translation>병합된 모델을 %1에 저장했습니다</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="953"/>
        <source>Merged model written</source>
        <translation>병합된 모델 저장 완료</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/finetune_panel.cpp" line="954"/>
        <source>Merge failed</source>
        <translation>병합 실패</translation>
    </message>
</context>
<context>
    <name>fm::ui::ImageTextPanel</name>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="88"/>
        <source>Choose model…</source>
        <translation>모델 선택…</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="89"/>
        <source>Demo model</source>
        <translation>데모 모델</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="95"/>
        <source>Model:</source>
        <translation>모델:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="97"/>
        <source>No folder</source>
        <translation>폴더 없음</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="99"/>
        <source>Choose folder…</source>
        <translation>폴더 선택…</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="102"/>
        <source>Pictures:</source>
        <translation>그림:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="130"/>
        <source>cat, dog, car</source>
        <translation>고양이, 개, 자동차</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="132"/>
        <source>Each label is put in place of {} before the model reads it</source>
        <translation>모델이 읽기 전에 각 레이블이 {} 자리에 들어갑니다</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="133"/>
        <source>Labels:</source>
        <translation>레이블:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="134"/>
        <source>Template:</source>
        <translation>템플릿:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="136"/>
        <source>Label the pictures</source>
        <translation>그림에 레이블 달기</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="138"/>
        <source>Choose a picture to see how sure the model is of each label.</source>
        <translation>그림을 고르면 모델이 각 레이블을 얼마나 확신하는지 보입니다.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="147"/>
        <source>Labels</source>
        <translation>레이블</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="154"/>
        <source>Describe a picture, e.g. a red circle</source>
        <translation>그림을 설명하세요. 예: a red circle</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="155"/>
        <location filename="../../ui/vision/image_text_panel.cpp" line="171"/>
        <source>Search</source>
        <translation>검색</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="159"/>
        <source>Find pictures like the chosen one</source>
        <translation>고른 그림과 비슷한 그림 찾기</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="176"/>
        <source>For a folder with one subfolder per class (the folder name is the label): how often the model&apos;s best label is the right one.</source>
        <translation>클래스마다 하위 폴더가 하나씩 있는 폴더(폴더 이름이 레이블): 모델의 최고 레이블이 맞는 비율.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="181"/>
        <source>Evaluate the folder</source>
        <translation>폴더 평가</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="191"/>
        <source>Evaluate</source>
        <translation>평가</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="197"/>
        <location filename="../../ui/vision/image_text_panel.cpp" line="418"/>
        <source>No captioner: choose a folder of an image-to-text model, such as BLIP or ViT-GPT2.</source>
        <translation>캡셔너 없음: BLIP이나 ViT-GPT2 같은 이미지-텍스트 모델 폴더를 고르세요.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="199"/>
        <source>Choose captioner…</source>
        <translation>캡셔너 선택…</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="205"/>
        <source>Skip pictures that have a caption</source>
        <translation>캡션이 있는 그림은 건너뛰기</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="206"/>
        <source>Add to the caption there</source>
        <translation>있는 캡션에 덧붙이기</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="207"/>
        <source>Replace the caption there</source>
        <translation>있는 캡션 바꾸기</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="208"/>
        <source>Caption files:</source>
        <translation>캡션 파일:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="212"/>
        <source>image, picture</source>
        <translation>image, picture</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="213"/>
        <source>Before each:</source>
        <translation>앞에 붙일 말:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="214"/>
        <source>After each:</source>
        <translation>뒤에 붙일 말:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="215"/>
        <source>Words to remove:</source>
        <translation>뺄 낱말:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="219"/>
        <source>1 writes the likeliest next word each time; more beams compare several captions</source>
        <translation>1은 매번 가장 그럴듯한 다음 낱말을 씁니다. 빔이 많으면 여러 캡션을 견줍니다</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="220"/>
        <source>Beams:</source>
        <translation>빔:</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="222"/>
        <source>Caption the folder</source>
        <translation>폴더에 캡션 달기</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="226"/>
        <source>Picture</source>
        <translation>그림</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="226"/>
        <source>Caption (double-click to edit)</source>
        <translation>캡션(두 번 클릭해 고치기)</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="233"/>
        <source>Captions</source>
        <translation>캡션</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="237"/>
        <source>Train a captioner</source>
        <translation>캡셔너 학습</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="240"/>
        <source>Choose a captioner folder</source>
        <translation>캡셔너 폴더 선택</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="260"/>
        <source>Choose a folder of pictures</source>
        <translation>그림 폴더 선택</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="323"/>
        <location filename="../../ui/vision/image_text_panel.cpp" line="413"/>
        <source>Opening %1…</source>
        <translation>%1 여는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="365"/>
        <source>Read the captions</source>
        <translation>캡션 읽기</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="354"/>
        <source>%1 — reading the folder…</source>
        <translation>%1 — 폴더 읽는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="356"/>
        <source>Read the folder</source>
        <translation>폴더 읽기</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="705"/>
        <source>Image demo: shapes, a tiny CLIP and a captioner</source>
        <translation>그림 데모: 도형, 작은 CLIP과 캡셔너</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="713"/>
        <source>Making the demo: drawing pictures of shapes, training a tiny CLIP on them, then a captioner (a few minutes)…</source>
        <translation>데모를 만드는 중: 도형 그림을 그리고, 그것으로 작은 CLIP을 학습한 뒤 캡셔너를 학습합니다(몇 분)…</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="732"/>
        <source>Demo ready: a tiny CLIP trained here labels held-out pictures with %1% accuracy (chance %2%), and the captioner trained on it names the right shape and colour in %3% of them. Press &quot;Label the pictures&quot;, search for &quot;a yellow triangle&quot;, or caption the folder.</source>
        <translation>데모 준비 완료: 여기서 학습한 작은 CLIP이 평가용 그림에 %1% 정확도로 레이블을 답니다(찍기 %2%). 그 위에 학습한 캡셔너는 %3%의 그림에서 모양과 색을 맞게 말합니다. &quot;그림에 레이블 달기&quot;를 누르거나, &quot;a yellow triangle&quot;을 검색하거나, 폴더에 캡션을 다세요.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="70"/>
        <source>Open %1</source>
        <translation>%1 열기</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="86"/>
        <source>No model: choose a CLIP or SigLIP folder, or make the demo model.</source>
        <translation>모델 없음: CLIP 또는 SigLIP 폴더를 고르거나 데모 모델을 만드세요.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="90"/>
        <source>Draws pictures of coloured shapes with captions, trains a tiny CLIP and a captioner on them here (a few minutes) and opens its held-out pictures</source>
        <translation>색깔 도형 그림을 캡션과 함께 그리고, 그것으로 작은 CLIP과 캡셔너를 여기서 학습한 뒤(몇 분) 평가용 그림을 엽니다</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="256"/>
        <source>Choose a CLIP or SigLIP model folder</source>
        <translation>CLIP 또는 SigLIP 모델 폴더 선택</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="328"/>
        <source>No model</source>
        <translation>모델 없음</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="335"/>
        <source>%1 — pictures of %2 px, %3-dimensional embeddings</source>
        <translation>%1 — %2 px 그림, %3차원 임베딩</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/vision/image_text_panel.cpp" line="353"/>
        <source>%1 — %n picture(s)</source>
        <translation>
            <numerusform>%1 — 그림 %n장</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="354"/>
        <source>The folder holds no pictures this reads (JPEG, PNG, WebP, BMP, TIFF, GIF).</source>
        <translation>폴더에 읽을 수 있는 그림(JPEG, PNG, WebP, BMP, TIFF, GIF)이 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="404"/>
        <source>Saved the caption of %1.</source>
        <translation>%1의 캡션을 저장했습니다.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/vision/image_text_panel.cpp" line="446"/>
        <source>Caption %n picture(s)</source>
        <translation>
            <numerusform>그림 %n장에 캡션 달기</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/vision/image_text_panel.cpp" line="464"/>
        <source>%n caption file(s) written, %1 added to, %2 left as they were, %3 pictures unreadable.</source>
        <translation>
            <numerusform>캡션 파일 %n개를 썼고, %1개에 덧붙였고, %2개는 그대로 두었으며, 그림 %3장은 읽을 수 없습니다.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="505"/>
        <source>%1 could not be read.</source>
        <translation>%1을(를) 읽을 수 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="516"/>
        <source>Type the labels to choose from, separated by commas.</source>
        <translation>고를 레이블을 쉼표로 구분해 입력하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="520"/>
        <source>The template needs {} where the label goes, for example &quot;a photo of a {}&quot;.</source>
        <translation>템플릿에는 레이블이 들어갈 {}가 있어야 합니다. 예: &quot;a photo of a {}&quot;.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/vision/image_text_panel.cpp" line="528"/>
        <source>Label %n picture(s)</source>
        <translation>
            <numerusform>그림 %n장에 레이블 달기</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/vision/image_text_panel.cpp" line="542"/>
        <source>%n picture(s) labelled.</source>
        <translation>
            <numerusform>그림 %n장에 레이블을 달았습니다.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/vision/image_text_panel.cpp" line="543"/>
        <source>%n picture(s) labelled; %1 could not be read (hover over them to see why).</source>
        <translation>
            <numerusform>그림 %n장에 레이블을 달았습니다. %1장은 읽을 수 없습니다(마우스를 올리면 이유가 보입니다).</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="599"/>
        <source>Search pictures</source>
        <translation>그림 검색</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/vision/image_text_panel.cpp" line="609"/>
        <source>%n picture(s), most similar first (cosine similarity).</source>
        <translation>
            <numerusform>그림 %n장, 가장 비슷한 것부터(코사인 유사도).</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="620"/>
        <source>Find similar pictures</source>
        <translation>비슷한 그림 찾기</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/vision/image_text_panel.cpp" line="631"/>
        <source>%n picture(s) like the chosen one, most similar first.</source>
        <translation>
            <numerusform>고른 그림과 비슷한 그림 %n장, 가장 비슷한 것부터.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="642"/>
        <source>Evaluate %1</source>
        <translation>%1 평가</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/vision/image_text_panel.cpp" line="658"/>
        <source>Accuracy %1% on %n picture(s) (chance: %2%).</source>
        <translation>
            <numerusform>그림 %n장에서 정확도 %1% (무작위: %2%).</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="661"/>
        <source> %1 could not be read.</source>
        <translation> %1장은 읽을 수 없습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="672"/>
        <source>accuracy</source>
        <translation>정확도</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="697"/>
        <source>Rows: the true class. Columns: the model&apos;s best label.</source>
        <translation>행: 실제 클래스. 열: 모델의 최고 레이블.</translation>
    </message>
    <message>
        <location filename="../../ui/vision/image_text_panel.cpp" line="719"/>
        <source>The demo was stopped; what was finished is kept.</source>
        <translation>데모를 멈췄습니다. 끝난 부분은 남아 있습니다.</translation>
    </message>
</context>
<context>
    <name>fm::ui::Job</name>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="49"/>
        <source>queued</source>
        <translation>대기 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="50"/>
        <source>running</source>
        <translation>실행 중</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="51"/>
        <source>done</source>
        <translation>완료</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="52"/>
        <source>cancelled</source>
        <translation>취소됨</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="53"/>
        <source>failed</source>
        <translation>실패</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="186"/>
        <source>%1 min %2 s</source>
        <translation>%1분 %2초</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="186"/>
        <source>%1 s</source>
        <translation>%1초</translation>
    </message>
</context>
<context>
    <name>fm::ui::JobRunner</name>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="293"/>
        <source>%1: started</source>
        <translation>%1: 시작됨</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="296"/>
        <source>%1: replaced by a newer request</source>
        <translation>%1: 새 요청으로 대체됨</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="299"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="300"/>
        <source>%1: %2 — %3</source>
        <translation>%1: %2 — %3</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="322"/>
        <source>unknown error</source>
        <translation>알 수 없는 오류</translation>
    </message>
</context>
<context>
    <name>fm::ui::JobsModel</name>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="199"/>
        <source>stopping…</source>
        <translation>중지하는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="199"/>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="203"/>
        <source>Stop this job at its next safe point</source>
        <translation>다음 안전 지점에서 이 작업을 중지합니다</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="213"/>
        <source>Job</source>
        <translation>작업</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="214"/>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="215"/>
        <source>Progress</source>
        <translation>진행률</translation>
    </message>
    <message>
        <location filename="../../ui/bridge/job.cpp" line="216"/>
        <source>Time left</source>
        <translation>남은 시간</translation>
    </message>
</context>
<context>
    <name>fm::ui::LossChart</name>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="22"/>
        <source>train loss</source>
        <translation>학습 손실</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="24"/>
        <location filename="../../ui/finetune/loss_chart.cpp" line="118"/>
        <source>eval loss</source>
        <translation>평가 손실</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="27"/>
        <location filename="../../ui/finetune/loss_chart.cpp" line="54"/>
        <location filename="../../ui/finetune/loss_chart.cpp" line="128"/>
        <source>learning rate</source>
        <translation>학습률</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="34"/>
        <location filename="../../ui/finetune/loss_chart.cpp" line="109"/>
        <source>validation accuracy (%)</source>
        <translation>검증 정확도(%)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="38"/>
        <source>eval loss rising: overfitting?</source>
        <translation>평가 손실 상승: 과적합?</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="46"/>
        <source>step</source>
        <translation>스텝</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="49"/>
        <location filename="../../ui/finetune/loss_chart.cpp" line="127"/>
        <source>loss (log scale)</source>
        <translation>손실 (로그 스케일)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="60"/>
        <location filename="../../ui/finetune/loss_chart.cpp" line="129"/>
        <source>accuracy %</source>
        <translation>정확도 %</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="109"/>
        <source>accuracy</source>
        <translation>정확도</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="116"/>
        <source>eval loss %1</source>
        <translation>평가 손실 %1</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="127"/>
        <source>loss</source>
        <translation>손실</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="167"/>
        <source>The loss curve appears here when a run starts: lower is better.</source>
        <translation>실행을 시작하면 여기에 손실 곡선이 나타납니다. 낮을수록 좋습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="216"/>
        <source>The loss is on a plateau: this is expected. The model has learned the shape of the answer and is now finding what decides it; keep going.</source>
        <translation>손실이 한동안 평평합니다: 정상입니다. 모델이 답의 형식은 익혔고 이제 무엇이 답을 정하는지 찾는 중입니다. 계속 진행하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="115"/>
        <source>eval loss %1 (perplexity %2)</source>
        <translation>평가 손실 %1 (퍼플렉서티 %2)</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="356"/>
        <source>%1: train loss</source>
        <translation>%1: 학습 손실</translation>
    </message>
    <message>
        <location filename="../../ui/finetune/loss_chart.cpp" line="358"/>
        <source>%1: eval loss</source>
        <translation>%1: 평가 손실</translation>
    </message>
</context>
<context>
    <name>fm::ui::MainWindow</name>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="79"/>
        <source>FM Workbench</source>
        <translation>FM Workbench</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="95"/>
        <source>Models</source>
        <translation>모델</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="96"/>
        <source>Datasets</source>
        <translation>데이터셋</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="97"/>
        <source>Fine-tune</source>
        <translation>파인튜닝</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="98"/>
        <source>Collections</source>
        <translation>컬렉션</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="99"/>
        <source>Image + Text</source>
        <translation>이미지 + 텍스트</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="100"/>
        <source>Playground</source>
        <translation>플레이그라운드</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="134"/>
        <source>Jobs</source>
        <translation>작업</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="152"/>
        <source>Log</source>
        <translation>로그</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="165"/>
        <source>&amp;File</source>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="166"/>
        <source>Import a model folder…</source>
        <translation>모델 폴더 가져오기…</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="170"/>
        <source>Open a dataset…</source>
        <translation>데이터셋 열기…</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="174"/>
        <source>Use the built-in demo</source>
        <translation>내장 데모 사용</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="176"/>
        <source>Settings…</source>
        <translation>설정…</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="178"/>
        <source>Quit</source>
        <translation>종료</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="179"/>
        <source>&amp;View</source>
        <translation>보기(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="183"/>
        <source>Presentation mode</source>
        <translation>발표 모드</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="186"/>
        <source>Large text and thick chart lines, readable from the back of a room (F5)</source>
        <translation>큰 글씨와 굵은 차트 선, 강의실 뒤에서도 잘 보입니다(F5)</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="187"/>
        <source>&amp;Help</source>
        <translation>도움말(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="188"/>
        <location filename="../../ui/shell/main_window.cpp" line="189"/>
        <source>About FM Workbench</source>
        <translation>FM Workbench 정보</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="190"/>
        <source>FM Workbench: pre-train, adapt, ground and deploy foundation models on your own computer, offline.

Workspace: %1</source>
        <translation>FM Workbench: 내 컴퓨터에서 오프라인으로 파운데이션 모델을 사전 학습하고, 적응시키고, 그라운딩하고, 배포합니다.

워크스페이스: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/shell/main_window.cpp" line="199"/>
        <source>%n job(s) running</source>
        <translation>
            <numerusform>작업 %n개 실행 중</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="199"/>
        <source>Ready</source>
        <translation>준비됨</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="205"/>
        <source>Model ready: %1</source>
        <translation>모델 준비됨: %1</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="207"/>
        <source>Model refused: %1 — %2</source>
        <translation>모델 거부됨: %1 — %2</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="248"/>
        <source>Nothing to import at %1</source>
        <translation>%1에 가져올 항목이 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="257"/>
        <source>Preparing the built-in demo: datasets and a tiny model trained from scratch.</source>
        <translation>내장 데모를 준비하는 중: 데이터셋과 처음부터 학습한 아주 작은 모델.</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="265"/>
        <source>The demo could not be prepared: %1</source>
        <translation>데모를 준비할 수 없습니다: %1</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="282"/>
        <source>Language</source>
        <translation>언어</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="283"/>
        <source>The new language is used from the next start. Restart FM Workbench now?</source>
        <translation>새 언어는 다음 실행부터 적용됩니다. 지금 FM Workbench를 다시 시작할까요?</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="285"/>
        <source>Restart now</source>
        <translation>지금 다시 시작</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="286"/>
        <source>Later</source>
        <translation>나중에</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="291"/>
        <source>Workspace: %1</source>
        <translation>워크스페이스: %1</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="335"/>
        <source>Jobs are running</source>
        <translation>작업이 실행 중입니다</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="336"/>
        <source>Stop the running jobs and quit? A training run stops at its next step and keeps a checkpoint you can resume.</source>
        <translation>실행 중인 작업을 중지하고 종료할까요? 학습 실행은 다음 스텝에서 멈추고, 재개할 수 있는 체크포인트를 남깁니다.</translation>
    </message>
    <message>
        <location filename="../../ui/shell/main_window.cpp" line="348"/>
        <source>Stopping the running jobs, then closing…</source>
        <translation>실행 중인 작업을 멈춘 뒤 닫습니다…</translation>
    </message>
</context>
<context>
    <name>fm::ui::ModelsPanel</name>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="83"/>
        <source>Import a model folder…</source>
        <translation>모델 폴더 가져오기…</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="84"/>
        <source>A Hugging Face folder with config.json, safetensors weights and a tokenizer</source>
        <translation>config.json, safetensors 가중치와 토크나이저가 있는 Hugging Face 폴더</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="85"/>
        <source>Use the demo model</source>
        <translation>데모 모델 사용</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="86"/>
        <source>A tiny Llama-style model that the app trains from scratch on its own demo text</source>
        <translation>앱이 자체 데모 텍스트로 처음부터 학습하는 아주 작은 Llama 계열 모델</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="89"/>
        <source>Your models</source>
        <translation>내 모델</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="96"/>
        <source>Model families that work</source>
        <translation>지원되는 모델 계열</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="98"/>
        <source>Family</source>
        <translation>계열</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="98"/>
        <location filename="../../ui/models/models_panel.cpp" line="332"/>
        <source>Tokenizer</source>
        <translation>토크나이저</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="98"/>
        <source>Chat</source>
        <translation>채팅</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="104"/>
        <source>No model yet: import a folder, drop one on the window, or use the demo model.</source>
        <translation>아직 모델이 없습니다: 폴더를 가져오거나 창에 끌어다 놓거나 데모 모델을 사용하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="122"/>
        <source>Tokenizer: type text to see its tokens and their ids</source>
        <translation>토크나이저: 텍스트를 입력하면 토큰과 ID를 볼 수 있습니다</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="124"/>
        <source>Type or paste text here</source>
        <translation>여기에 텍스트를 입력하거나 붙여 넣으세요</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="193"/>
        <source>model_type &quot;%1&quot;</source>
        <translation>model_type &quot;%1&quot;</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="196"/>
        <source>What a folder needs</source>
        <translation>폴더에 필요한 것</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="291"/>
        <source>Choose a Hugging Face model folder</source>
        <translation>Hugging Face 모델 폴더 선택</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="238"/>
        <source>Could not open %1:
%2</source>
        <translation>%1을(를) 열 수 없습니다:
%2</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="135"/>
        <source>Compare sentences: one per line; the map shows how close their meanings are</source>
        <translation>문장 비교: 한 줄에 한 문장씩 입력하면, 표가 의미가 얼마나 가까운지 보여 줍니다</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="138"/>
        <source>The weather is lovely today.
It is sunny and warm outside.
The stock market fell sharply.
오늘은 날씨가 좋다.</source>
        <translation>오늘은 날씨가 좋다.
밖은 맑고 따뜻하다.
주식 시장이 크게 떨어졌다.
The weather is lovely today.</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="141"/>
        <source>Compare</source>
        <translation>비교</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="148"/>
        <source>Score passages: how well each passage answers the query</source>
        <translation>단락 점수 매기기: 각 단락이 질문에 얼마나 잘 답하는지</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="151"/>
        <source>Query</source>
        <translation>질문</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="152"/>
        <source>How do I reset my password?</source>
        <translation>비밀번호는 어떻게 재설정하나요?</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="154"/>
        <source>Open Settings, choose Account, then Reset password.
Our office is open from 9 to 5.
Passwords must have at least 12 characters.</source>
        <translation>설정을 열고 계정을 선택한 다음 비밀번호 재설정을 누르세요.
사무실은 9시부터 5시까지 엽니다.
비밀번호는 12자 이상이어야 합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="157"/>
        <location filename="../../ui/models/models_panel.cpp" line="159"/>
        <source>Score</source>
        <translation>점수</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="159"/>
        <source>Probability</source>
        <translation>확률</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="159"/>
        <source>Passage</source>
        <translation>단락</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="215"/>
        <source>1 token</source>
        <translation>토큰 1개</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="215"/>
        <source>%1 tokens</source>
        <translation>토큰 %1개</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="245"/>
        <source>Waiting for the built-in demo to be prepared</source>
        <translation>내장 데모가 준비되기를 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="284"/>
        <source>In memory: %1 of %2 kept for models</source>
        <translation>메모리 사용: 모델용 %2 중 %1</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="286"/>
        <source>Several models can be open at once. When a new one does not fit, models that no job is using are closed, least recently used first.</source>
        <translation>여러 모델을 동시에 열 수 있습니다. 새 모델이 들어갈 공간이 없으면, 어떤 작업도 사용하지 않는 모델부터 가장 오래전에 쓴 순서로 닫습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="297"/>
        <source>Opening %1…</source>
        <translation>%1 여는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="303"/>
        <source>language model: writes text (Playground, Fine-tune)</source>
        <translation>언어 모델: 텍스트를 씁니다(플레이그라운드, 파인튜닝)</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="304"/>
        <source>text encoder: turns text into vectors (search, similarity)</source>
        <translation>텍스트 인코더: 텍스트를 벡터로 바꿉니다(검색, 유사도)</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="305"/>
        <source>cross-encoder: scores how well a passage answers a query (reranking)</source>
        <translation>크로스 인코더: 단락이 질문에 얼마나 잘 답하는지 점수를 매깁니다(재순위화)</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="306"/>
        <source>image-text model: labels and searches pictures by words (Image + Text)</source>
        <translation>이미지-텍스트 모델: 말로 그림에 레이블을 달고 그림을 찾습니다(이미지 + 텍스트)</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="307"/>
        <source>captioner: describes pictures in words</source>
        <translation>캡셔너: 그림을 말로 설명합니다</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="317"/>
        <source>%1 — %2 parameters</source>
        <translation>%1 — 파라미터 %2</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="319"/>
        <source>Kind</source>
        <translation>종류</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="320"/>
        <source>Folder</source>
        <translation>폴더</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="321"/>
        <source>Architecture</source>
        <translation>아키텍처</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="322"/>
        <source>Parameters</source>
        <translation>파라미터</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="323"/>
        <source>Weights on disk</source>
        <translation>디스크상 가중치</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="325"/>
        <location filename="../../ui/models/models_panel.cpp" line="328"/>
        <source>Memory needed</source>
        <translation>필요한 메모리</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="325"/>
        <source>%1 in float32, %2 in bfloat16, plus %3 per 1,000 tokens of context</source>
        <translation>float32에서 %1, bfloat16에서 %2, 컨텍스트 1,000 토큰당 %3 추가</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="328"/>
        <source>%1 in float32, %2 in bfloat16</source>
        <translation>float32에서 %1, bfloat16에서 %2</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="329"/>
        <source>Layers × hidden</source>
        <translation>레이어 × 히든</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="331"/>
        <source>Context</source>
        <translation>컨텍스트</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="331"/>
        <source>%1 tokens, %2</source>
        <translation>%1 토큰, %2</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="333"/>
        <source>none: %1</source>
        <translation>없음: %1</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="336"/>
        <source>Chat template</source>
        <translation>채팅 템플릿</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="340"/>
        <source>Special tokens</source>
        <translation>특수 토큰</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="344"/>
        <location filename="../../ui/models/models_panel.cpp" line="355"/>
        <source>Embedding</source>
        <translation>임베딩</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="344"/>
        <source>%1 dimensions, %2 pooling, %3</source>
        <translation>%1차원, %2 풀링, %3</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="345"/>
        <source>normalised</source>
        <translation>정규화됨</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="345"/>
        <source>not normalised</source>
        <translation>정규화 안 됨</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="346"/>
        <location filename="../../ui/models/models_panel.cpp" line="356"/>
        <source>Longest text</source>
        <translation>최대 텍스트 길이</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="346"/>
        <location filename="../../ui/models/models_panel.cpp" line="356"/>
        <source>%1 tokens (longer texts are cut)</source>
        <translation>%1 토큰(더 긴 텍스트는 잘립니다)</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="347"/>
        <source>Prompts</source>
        <translation>프롬프트</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="347"/>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="350"/>
        <location filename="../../ui/models/models_panel.cpp" line="353"/>
        <source>Pictures</source>
        <translation>그림</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="350"/>
        <location filename="../../ui/models/models_panel.cpp" line="353"/>
        <source>%1 × %1 pixels in patches of %2; image tower %3 layers × %4</source>
        <translation>%1 × %1 픽셀, 패치 %2; 이미지 타워 %3층 × %4</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="355"/>
        <source>%1 dimensions, shared by pictures and texts</source>
        <translation>%1차원, 그림과 텍스트가 함께 씀</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="361"/>
        <source>Labels</source>
        <translation>레이블</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="362"/>
        <source>Longest pair</source>
        <translation>최대 쌍 길이</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="362"/>
        <source>%1 tokens (the passage is cut first)</source>
        <translation>%1 토큰(단락이 먼저 잘립니다)</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="364"/>
        <source>Note</source>
        <translation>참고</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="372"/>
        <source>The film was not great, but the soundtrack is wonderful.</source>
        <translation>영화는 별로였지만 사운드트랙은 훌륭합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="380"/>
        <source>&lt;i&gt;Load a model with a tokenizer first.&lt;/i&gt;</source>
        <translation>&lt;i&gt;먼저 토크나이저가 있는 모델을 불러오세요.&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="449"/>
        <source>Type at least two sentences, one per line.</source>
        <translation>한 줄에 하나씩 두 문장 이상 입력하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="455"/>
        <source>Compare sentences</source>
        <translation>문장 비교</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/models/models_panel.cpp" line="460"/>
        <source>Embedding %n sentence(s)…</source>
        <translation>
            <numerusform>문장 %n개 임베딩 중…</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="467"/>
        <location filename="../../ui/models/models_panel.cpp" line="521"/>
        <source>Cancelled.</source>
        <translation>취소되었습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="487"/>
        <source>“%1” and “%2”: cosine similarity %3</source>
        <translation>“%1”와(과) “%2”: 코사인 유사도 %3</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="491"/>
        <source>1.00 = the same meaning; near 0 = unrelated.</source>
        <translation>1.00 = 같은 의미, 0에 가까우면 관련 없음.</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="502"/>
        <source>Type a query and at least one passage.</source>
        <translation>질문과 단락을 하나 이상 입력하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="509"/>
        <source>Score passages</source>
        <translation>단락 점수 매기기</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/models/models_panel.cpp" line="514"/>
        <source>Scoring %n passage(s)…</source>
        <translation>
            <numerusform>단락 %n개 점수 계산 중…</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/models/models_panel.cpp" line="541"/>
        <source>Best first. The score is the model&apos;s raw output; the probability is its sigmoid (or softmax).</source>
        <translation>높은 순서입니다. 점수는 모델의 원래 출력이고, 확률은 그 시그모이드(또는 소프트맥스)입니다.</translation>
    </message>
</context>
<context>
    <name>fm::ui::PlaygroundPanel</name>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="49"/>
        <source>1 token</source>
        <translation>토큰 1개</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="49"/>
        <source>%1 tokens</source>
        <translation>토큰 %1개</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="53"/>
        <source>the model ended its answer</source>
        <translation>모델이 답을 끝냄</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="54"/>
        <source>a stop string</source>
        <translation>중지 문자열</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="55"/>
        <source>the token limit</source>
        <translation>토큰 한도</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="56"/>
        <source>the model&apos;s context is full</source>
        <translation>모델의 문맥 길이가 다 참</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="57"/>
        <source>stopped by you</source>
        <translation>사용자가 중지함</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="71"/>
        <source>Completion</source>
        <translation>완성</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="72"/>
        <source>Chat</source>
        <translation>채팅</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="73"/>
        <source>Completion continues your text. Chat wraps it in the model&apos;s chat template.</source>
        <translation>완성 모드는 입력한 텍스트를 이어 씁니다. 채팅 모드는 모델의 채팅 템플릿으로 감쌉니다.</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="74"/>
        <source>Mode</source>
        <translation>모드</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="78"/>
        <source>This model has no chat template: your message is sent as plain “User: …” lines, which a model not trained for chat may not follow. Completion mode fits it better.</source>
        <translation>이 모델에는 채팅 템플릿이 없습니다: 메시지가 평범한 “User: …” 줄로 전달되어, 채팅용으로 학습되지 않은 모델은 따르지 못할 수 있습니다. 이어 쓰기 모드가 더 잘 맞습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="83"/>
        <source>System prompt</source>
        <translation>시스템 프롬프트</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="86"/>
        <source>Instructions the model sees before your message (chat mode)</source>
        <translation>사용자 메시지 앞에 모델이 보는 지시문(채팅 모드)</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="92"/>
        <source>0 always picks the most likely token; higher is more varied and more surprising.</source>
        <translation>0이면 항상 가장 가능성 높은 토큰을 고릅니다. 높을수록 더 다양하고 의외의 결과가 나옵니다.</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="93"/>
        <source>Temperature</source>
        <translation>온도</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="96"/>
        <source>off</source>
        <translation>끔</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="97"/>
        <source>Choose only among the K most likely tokens (0: off).</source>
        <translation>가장 가능성 높은 K개 토큰 중에서만 고릅니다(0: 끔).</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="98"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="103"/>
        <source>Choose among the most likely tokens that together hold this share of probability.</source>
        <translation>확률 합이 이 비율에 이를 때까지의 가장 가능성 높은 토큰 중에서 고릅니다.</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="104"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="109"/>
        <source>Above 1 discourages repeating the same tokens.</source>
        <translation>1보다 크면 같은 토큰을 반복하지 않도록 합니다.</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="110"/>
        <source>Repetition penalty</source>
        <translation>반복 페널티</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="114"/>
        <source>Max new tokens</source>
        <translation>최대 새 토큰 수</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="117"/>
        <source>The same seed and settings give the same answer.</source>
        <translation>시드와 설정이 같으면 같은 답이 나옵니다.</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="118"/>
        <source>Seed</source>
        <translation>시드</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="121"/>
        <source>LoRA adapter</source>
        <translation>LoRA 어댑터</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="125"/>
        <source>none: the base model</source>
        <translation>없음: 기본 모델</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="126"/>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="130"/>
        <source>Use the adapter</source>
        <translation>어댑터 사용</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="132"/>
        <source>Base and adapted, side by side</source>
        <translation>기본 모델과 어댑터 적용 답변을 나란히 표시</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="133"/>
        <source>Wrap my text as in training</source>
        <translation>학습 때와 같은 형식으로 내 글 감싸기</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="154"/>
        <source>Write a prompt, then press Generate (Ctrl+Enter)</source>
        <translation>프롬프트를 작성한 뒤 생성을 누르세요(Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="158"/>
        <location filename="../../ui/playground/playground_panel.cpp" line="372"/>
        <source>Generate</source>
        <translation>생성</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="160"/>
        <source>Stop</source>
        <translation>중지</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="174"/>
        <source>Base model</source>
        <translation>기본 모델</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="179"/>
        <location filename="../../ui/playground/playground_panel.cpp" line="201"/>
        <source>Answer</source>
        <translation>답변</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="195"/>
        <source>Choose a PEFT adapter folder</source>
        <translation>PEFT 어댑터 폴더 선택</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="201"/>
        <source>With the adapter</source>
        <translation>어댑터 적용</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="264"/>
        <source>&lt;b&gt;Model:&lt;/b&gt; %1 (%2)</source>
        <translation>&lt;b&gt;모델:&lt;/b&gt; %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="267"/>
        <source>&lt;b&gt;No model loaded&lt;/b&gt;: open one in Models, or use the built-in demo.</source>
        <translation>&lt;b&gt;불러온 모델이 없습니다&lt;/b&gt;: 모델 패널에서 열거나 내장 데모를 사용하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="272"/>
        <source> · &lt;b&gt;Adapter:&lt;/b&gt; %1, compared with the base model</source>
        <translation> · &lt;b&gt;어댑터:&lt;/b&gt; %1, 기본 모델과 비교</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="273"/>
        <source> · &lt;b&gt;Adapter:&lt;/b&gt; %1, in use</source>
        <translation> · &lt;b&gt;어댑터:&lt;/b&gt; %1, 사용 중</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="274"/>
        <source> · &lt;b&gt;Adapter:&lt;/b&gt; %1, switched off</source>
        <translation> · &lt;b&gt;어댑터:&lt;/b&gt; %1, 꺼짐</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="276"/>
        <source> · no adapter</source>
        <translation> · 어댑터 없음</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="327"/>
        <source>The fine-tuned model learned answers after prompts shaped like this; a plain sentence without it may get the wrong kind of answer.</source>
        <translation>미세 조정된 모델은 이런 형식의 프롬프트 뒤에 오는 답을 배웠습니다. 이 형식 없이 문장만 주면 엉뚱한 종류의 답이 나올 수 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="345"/>
        <source>Load a model with a tokenizer first (Models panel).</source>
        <translation>먼저 토크나이저가 있는 모델을 불러오세요(모델 패널).</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="364"/>
        <source>starting…</source>
        <translation>시작하는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="383"/>
        <source>loading the adapter</source>
        <translation>어댑터 불러오는 중</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="418"/>
        <source>%1 · %2 tokens/s</source>
        <translation>%1 · 초당 %2 토큰</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="425"/>
        <source> · %1 tokens/s</source>
        <translation> · 초당 %1 토큰</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="427"/>
        <source>%1%2 · prompt %3 tokens · stopped: %4</source>
        <translation>%1%2 · 프롬프트 %3 토큰 · 멈춘 이유: %4</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="43"/>
        <source>Helpful assistant</source>
        <translation>친절한 어시스턴트</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="43"/>
        <source>You are a helpful assistant. Answer clearly and briefly.</source>
        <translation>당신은 친절한 어시스턴트입니다. 명확하고 간결하게 답하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="44"/>
        <source>Teacher</source>
        <translation>선생님</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="44"/>
        <source>You are a patient teacher. Explain step by step with a simple example.</source>
        <translation>당신은 인내심 있는 선생님입니다. 간단한 예를 들어 단계별로 설명하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="45"/>
        <source>Strict classifier</source>
        <translation>엄격한 분류기</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="45"/>
        <source>Answer with one word only.</source>
        <translation>한 단어로만 답하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/playground/playground_panel.cpp" line="46"/>
        <source>None</source>
        <translation>없음</translation>
    </message>
</context>
<context>
    <name>fm::ui::SettingsDialog</name>
    <message>
        <location filename="../../ui/shell/settings_dialog.cpp" line="22"/>
        <source>Settings</source>
        <translation>설정</translation>
    </message>
    <message>
        <location filename="../../ui/shell/settings_dialog.cpp" line="26"/>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <location filename="../../ui/shell/settings_dialog.cpp" line="30"/>
        <location filename="../../ui/shell/settings_dialog.cpp" line="33"/>
        <source>Workspace folder</source>
        <translation>워크스페이스 폴더</translation>
    </message>
    <message>
        <location filename="../../ui/shell/settings_dialog.cpp" line="36"/>
        <source>all cores (%1)</source>
        <translation>모든 코어 (%1)</translation>
    </message>
    <message>
        <location filename="../../ui/shell/settings_dialog.cpp" line="38"/>
        <source>How many CPU cores model work may use. Used from the next start.</source>
        <translation>모델 작업에 사용할 CPU 코어 수입니다. 다음 실행 시부터 적용됩니다.</translation>
    </message>
    <message>
        <location filename="../../ui/shell/settings_dialog.cpp" line="39"/>
        <source>CPU threads</source>
        <translation>CPU 스레드</translation>
    </message>
    <message>
        <location filename="../../ui/shell/settings_dialog.cpp" line="44"/>
        <source>Language</source>
        <translation>언어</translation>
    </message>
    <message>
        <location filename="../../ui/shell/settings_dialog.cpp" line="46"/>
        <source>System</source>
        <translation>시스템</translation>
    </message>
    <message>
        <location filename="../../ui/shell/settings_dialog.cpp" line="47"/>
        <source>Light</source>
        <translation>밝게</translation>
    </message>
    <message>
        <location filename="../../ui/shell/settings_dialog.cpp" line="48"/>
        <source>Dark</source>
        <translation>어둡게</translation>
    </message>
    <message>
        <location filename="../../ui/shell/settings_dialog.cpp" line="50"/>
        <source>Theme</source>
        <translation>테마</translation>
    </message>
</context>
<context>
    <name>fm::ui::Workbench</name>
    <message>
        <location filename="../../ui/shell/workbench.cpp" line="54"/>
        <source>Prepare the demo model</source>
        <translation>데모 모델 준비</translation>
    </message>
    <message>
        <location filename="../../ui/shell/workbench.cpp" line="56"/>
        <source>writing the demo datasets</source>
        <translation>데모 데이터셋 쓰는 중</translation>
    </message>
    <message>
        <location filename="../../ui/shell/workbench.cpp" line="58"/>
        <source>Demo datasets written to %1</source>
        <translation>데모 데이터셋을 %1에 저장했습니다</translation>
    </message>
    <message>
        <location filename="../../ui/shell/workbench.cpp" line="61"/>
        <source>Pretraining the tiny demo model from scratch (a minute or two on two cores)</source>
        <translation>아주 작은 데모 모델을 처음부터 사전 학습하는 중(코어 2개로 1~2분)</translation>
    </message>
    <message>
        <location filename="../../ui/shell/workbench.cpp" line="65"/>
        <source>pretraining step %1 of %2</source>
        <translation>사전 학습 스텝 %1/%2</translation>
    </message>
    <message>
        <location filename="../../ui/shell/workbench.cpp" line="87"/>
        <source>Load %1</source>
        <translation>%1 불러오기</translation>
    </message>
    <message>
        <location filename="../../ui/shell/workbench.cpp" line="89"/>
        <source>reading %1</source>
        <translation>%1 읽는 중</translation>
    </message>
    <message>
        <location filename="../../ui/shell/workbench.cpp" line="74"/>
        <location filename="../../ui/shell/workbench.cpp" line="116"/>
        <source>cancelled</source>
        <translation>취소됨</translation>
    </message>
</context>
</TS>
