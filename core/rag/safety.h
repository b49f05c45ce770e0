// What a collection guards against: personal data in logs and (when the collection asks) in
// its indexed text, and documents that try to instruct the model.
//
// Masked kinds: e-mail addresses, phone numbers (at least nine digits in groups), payment card
// numbers (13-19 digits passing the Luhn check), IBANs (passing the mod-97 check), US social
// security numbers and Korean resident registration numbers (a valid birth date and sex digit).
// Look-alikes stay: a 16-digit number that fails Luhn, dates, versions, short numbers.
#pragma once

#include <string>

namespace fm::rag {

struct MaskCounts {
  int email = 0, phone = 0, card = 0, iban = 0, ssn = 0, rrn = 0;
  int total() const { return email + phone + card + iban + ssn + rrn; }
};

// The text with each item replaced by its kind in brackets ("[email]", "[phone]", "[card]",
// "[IBAN]", "[SSN]", "[RRN]").
std::string maskPersonalData(const std::string& text, MaskCounts* counts = nullptr);

// When a passage reads like an instruction to the model ("ignore the previous instructions",
// "이전 지시를 무시하고"), what it says, quoted; else "".
std::string instructionFlag(const std::string& text);

bool luhnValid(const std::string& digits);
bool ibanValid(const std::string& compact);

}  // namespace fm::rag
